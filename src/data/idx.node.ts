// Loading IDX files (plain or gzipped, as the original MNIST files are distributed) in Node.
import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { fail } from "../io/binary.js";
import type { Tensor } from "../tensor/tensor.js";
import { readIdx } from "./idx.js";

/**
 * Loads an IDX file such as `train-images-idx3-ubyte` or its `.gz` (gzip is recognized by its magic
 * bytes). `maxBytes` bounds the decompressed size (default 1 GiB).
 */
export async function loadIdx(file: string, opts: { maxBytes?: number } = {}): Promise<Tensor> {
  const op = "loadIdx";
  const buf = await readFile(file);
  let bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const max = opts.maxBytes ?? 2 ** 30;
    try {
      const out = gunzipSync(bytes, { maxOutputLength: max });
      bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    } catch (e) {
      const code = (e as { code?: string }).code;
      const why = code === "ERR_BUFFER_TOO_LARGE" ? `it decompresses to more than ${max} bytes` : (e as Error).message;
      throw fail({ op, file }, `cannot decompress: ${why}`);
    }
  }
  return readIdx(bytes, { file, op });
}
