// Typed errors. Every message names the op, the shapes/dtypes involved and what was expected.

/** Base class of every error nabla throws on bad input. */
export class NablaError extends Error {
  constructor(
    readonly op: string,
    message: string,
  ) {
    super(`${op}: ${message}`);
    this.name = "NablaError";
  }
}

/** Shapes do not fit the op's rule. */
export class ShapeError extends NablaError {
  constructor(op: string, message: string) {
    super(op, message);
    this.name = "ShapeError";
  }
}

/** Dtypes do not fit the op's rule. */
export class DTypeError extends NablaError {
  constructor(op: string, message: string) {
    super(op, message);
    this.name = "DTypeError";
  }
}

/** A value (not a shape or dtype) is out of the accepted range. */
export class ValueError extends NablaError {
  constructor(op: string, message: string) {
    super(op, message);
    this.name = "ValueError";
  }
}

/** A tensor was used after its buffer was disposed. */
export class DisposedError extends NablaError {
  constructor(op: string, message: string) {
    super(op, message);
    this.name = "DisposedError";
  }
}

/** Formats a shape as `[2,3]`. */
export function fmtShape(s: readonly number[]): string {
  return `[${s.join(",")}]`;
}
