// Errors of the io layer: a file (or byte buffer) that does not follow its format.
import { NablaError } from "../core/errors.js";

/**
 * A file or byte buffer is not a valid instance of its format (safetensors, NPY, IDX, PNG, …):
 * truncated, corrupt or hostile. The message names the function, the file (where there is one) and
 * the problem; `file` holds the path or label alone.
 */
export class FormatError extends NablaError {
  constructor(
    op: string,
    message: string,
    readonly file?: string,
  ) {
    super(op, file === undefined ? message : `${file}: ${message}`);
    this.name = "FormatError";
  }
}
