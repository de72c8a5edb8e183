// From JavaScript values to tensors: nested arrays, typed arrays and scalars; dtype casts and
// broadcasting of nodes, used by every tensor op.
import { allocArray, castScalar, dtypeOfArray, isDType, type DType, type TypedArray } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { checkShape, shapesEqual, sizeOf, type Shape } from "../core/shape.js";
import { build, type Node } from "../graph/node.js";
import { attachHost } from "../runtime/realize.js";
import { Tensor, isTensor, nextUid, type Nested } from "./tensor.js";

export type Scalar = number | boolean;
export type TensorLike = Tensor | Scalar | Nested<Scalar> | TypedArray | ArrayLike<number>;

export interface TensorOptions {
  dtype?: DType;
  shape?: readonly number[];
}

function inferShape(data: unknown, op: string): number[] {
  const shape: number[] = [];
  let cur: unknown = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  const check = (x: unknown, dim: number): void => {
    if (dim === shape.length) {
      if (typeof x !== "number" && typeof x !== "boolean")
        throw new ValueError(op, `expected numbers or booleans, found ${typeof x}`);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new ShapeError(
        op,
        `ragged nested array: expected length ${shape[dim]} at depth ${dim}, got ${Array.isArray(x) ? x.length : "a scalar"}`,
      );
    }
    for (const y of x) check(y, dim + 1);
  };
  check(data, 0);
  return shape;
}

/** Creates a tensor from nested arrays, a typed array or a scalar. */
export function tensor(data: TensorLike, opts: TensorOptions = {}): Tensor {
  if (isTensor(data)) return opts.dtype ? data.astype(opts.dtype) : data;
  if (opts.dtype !== undefined && !isDType(opts.dtype))
    throw new DTypeError("tensor", `unknown dtype ${String(opts.dtype)}`);
  let flat: ArrayLike<number | boolean>;
  let shape: number[];
  let dtype: DType;
  if (ArrayBuffer.isView(data)) {
    flat = data as unknown as ArrayLike<number>;
    shape = [flat.length];
    dtype = opts.dtype ?? dtypeOfArray(flat) ?? "int32";
    if (!opts.dtype && data instanceof Uint8Array) dtype = "int32";
  } else if (typeof data === "number" || typeof data === "boolean") {
    flat = [data];
    shape = [];
    dtype = opts.dtype ?? (typeof data === "boolean" ? "bool" : "float32");
  } else {
    shape = inferShape(data, "tensor");
    flat = (data as unknown[]).flat(Infinity as 1) as (number | boolean)[];
    dtype = opts.dtype ?? (flat.length > 0 && typeof flat[0] === "boolean" ? "bool" : "float32");
  }
  if (opts.shape) {
    checkShape("tensor", opts.shape);
    if (sizeOf(opts.shape) !== flat.length) {
      throw new ShapeError("tensor", `${flat.length} values cannot fill shape ${fmtShape(opts.shape)}`);
    }
    shape = [...opts.shape];
  }
  const arr = allocArray(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) arr[i] = castScalar(Number(flat[i]), dtype);
  return fromArray(arr, shape, dtype);
}

/** Wraps storage that nabla may keep (no copy is made on the host side). */
export function fromArray(arr: TypedArray, shape: Shape, dtype: DType): Tensor {
  const node = build("const", [], { uid: nextUid(), shape: [...shape], dtype });
  attachHost(node, arr);
  return new Tensor(node);
}

/** A node of `shape` filled with `value`. */
export const fullNode = (value: number, shape: Shape, dtype: DType): Node =>
  build("full", [], { value, shape: [...shape], dtype });

export function castNode(n: Node, dtype: DType): Node {
  return n.dtype === dtype ? n : build("cast", [n], { dtype });
}

/** Broadcasts `n` to `shape` (NumPy rules; the check happened in broadcastShapes). */
export function broadcastNode(n: Node, shape: Shape): Node {
  if (shapesEqual(n.shape, shape)) return n;
  const lifted =
    n.shape.length < shape.length
      ? build("reshape", [n], { shape: [...new Array<number>(shape.length - n.shape.length).fill(1), ...n.shape] })
      : n;
  return shapesEqual(lifted.shape, shape) ? lifted : build("expand", [lifted], { shape: [...shape] });
}

/** Any tensor-like value as a Tensor (scalars become float32/bool 0-d tensors). */
export function asTensor(x: TensorLike, dtype?: DType): Tensor {
  if (isTensor(x)) return dtype ? x.astype(dtype) : x;
  return tensor(x, dtype ? { dtype } : {});
}
