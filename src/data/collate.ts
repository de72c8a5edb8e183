// Collating samples into a batch: a list of samples (pytrees of tensors, numbers, typed arrays or
// nested number arrays) becomes one pytree whose leaves have a new leading batch axis. Leaves are
// joined by copying their host data into one buffer, which is much faster than a graph of concats.
import { allocArray, dtypeOfArray, type DType } from "../core/dtype.js";
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { fromArray, tensor } from "../tensor/convert.js";
import { isTensor, type Tensor } from "../tensor/tensor.js";

/** Stacks same-shape, same-dtype tensors along a new leading axis by copying their data. */
export function stackHost(ts: readonly Tensor[], op = "collate"): Tensor {
  const first = ts[0];
  if (!first) throw new ValueError(op, "cannot stack an empty list of tensors");
  for (const [i, t] of ts.entries()) {
    if (t.dtype !== first.dtype || t.ndim !== first.ndim || t.shape.some((d, k) => d !== first.shape[k]))
      throw new ShapeError(
        op,
        `sample ${i} has a ${t.dtype} tensor of shape ${fmtShape(t.shape)}, sample 0 has ${first.dtype} ${fmtShape(first.shape)}: ` +
          `samples must agree to be batched`,
      );
  }
  const per = first.size;
  const out = allocArray(first.dtype, ts.length * per);
  ts.forEach((t, i) => out.set(t.dataSync(), i * per));
  return fromArray(out, [ts.length, ...first.shape], first.dtype);
}

const isNumeric = (x: unknown): boolean => typeof x === "number" || typeof x === "boolean";

/** A nested array of numbers or booleans (rectangular or not: tensor() checks that). */
function isNumericArray(x: unknown): boolean {
  if (!Array.isArray(x)) return false;
  if (x.length === 0) return true;
  return x.every(isNumeric) || x.every(isNumericArray);
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" &&
  x !== null &&
  (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null);

/**
 * Batches samples. Leaves: tensors are stacked (shapes and dtypes must agree); numbers become an
 * int32 tensor [B] when all are int32 integers, else float32; booleans become bool [B]; typed arrays
 * and nested arrays of numbers are leaves too (converted as `nb.tensor` does) and stacked; strings
 * stay a string[]. Arrays holding anything else are tuples and objects are records: they are batched
 * position by position and key by key.
 */
export function collate(items: readonly unknown[], op = "collate"): unknown {
  const first = items[0];
  if (items.length === 0) throw new ValueError(op, "cannot batch zero samples");
  const kinds = (pred: (x: unknown) => boolean, what: string): void => {
    const bad = items.findIndex((x) => !pred(x));
    if (bad >= 0) throw new ValueError(op, `sample ${bad} has ${describe(items[bad])} where sample 0 has ${what}`);
  };
  if (isTensor(first)) {
    kinds(isTensor, "a tensor");
    return stackHost(items as Tensor[], op);
  }
  if (typeof first === "number") {
    kinds((x) => typeof x === "number", "a number");
    const nums = items as number[];
    const ints = nums.every((v) => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31);
    return fromArray(ints ? Int32Array.from(nums) : Float32Array.from(nums), [nums.length], ints ? "int32" : "float32");
  }
  if (typeof first === "boolean") {
    kinds((x) => typeof x === "boolean", "a boolean");
    return fromArray(
      Uint8Array.from(items as boolean[], (b) => (b ? 1 : 0)),
      [items.length],
      "bool",
    );
  }
  if (typeof first === "string") {
    kinds((x) => typeof x === "string", "a string");
    return [...(items as string[])];
  }
  if (ArrayBuffer.isView(first) && !(first instanceof DataView)) {
    kinds((x) => ArrayBuffer.isView(x) && x.constructor === first.constructor, `a ${first.constructor.name}`);
    const arrs = items as ArrayLike<number>[];
    const dtype: DType =
      first instanceof Uint8Array ? "int32" : (dtypeOfArray(first as unknown as ArrayLike<number>) ?? "float32");
    return stackHost(
      arrs.map((a) => tensor(a as ArrayLike<number>, { dtype })),
      op,
    );
  }
  if (isNumericArray(first)) {
    kinds(isNumericArray, "a numeric array");
    return stackHost(
      items.map((x) => tensor(x as number[])),
      op,
    );
  }
  if (Array.isArray(first)) {
    kinds((x) => Array.isArray(x) && x.length === first.length, `a tuple of ${first.length}`);
    return first.map((_, k) =>
      collate(
        items.map((x) => (x as unknown[])[k]),
        op,
      ),
    );
  }
  if (isPlainObject(first)) {
    const keys = Object.keys(first);
    kinds(
      (x) => isPlainObject(x) && Object.keys(x).length === keys.length && keys.every((k) => Object.hasOwn(x, k)),
      `an object with keys ${keys.join(", ")}`,
    );
    const out: Record<string, unknown> = {};
    for (const k of keys)
      Object.defineProperty(out, k, {
        value: collate(
          items.map((x) => (x as Record<string, unknown>)[k]),
          op,
        ),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  throw new ValueError(op, `cannot batch ${describe(first)} (expected tensors, numbers, arrays or objects of them)`);
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (isTensor(x)) return `a tensor ${fmtShape(x.shape)}`;
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  return typeof x === "object" ? "an object" : `a ${typeof x}`;
}
