// Linear algebra: matmul with NumPy semantics (1-D operands, batch broadcasting), dot, outer, einsum.
import { promote } from "../core/dtype.js";
import { DTypeError, ShapeError, fmtShape } from "../core/errors.js";
import { broadcastShapes } from "../core/shape.js";
import { build } from "../graph/node.js";
import { asTensor, broadcastNode, castNode, type TensorLike } from "./convert.js";
import { Tensor } from "./tensor.js";

/** a @ b: 1-D operands are promoted to matrices (and the added axis removed); batch dims broadcast. */
export function matmul(a: TensorLike, b: TensorLike): Tensor {
  const x = asTensor(a);
  const y = asTensor(b);
  if (x.ndim === 0 || y.ndim === 0)
    throw new ShapeError("matmul", `operands must be at least 1-D, got ${fmtShape(x.shape)} @ ${fmtShape(y.shape)}`);
  if (x.dtype === "bool" || y.dtype === "bool")
    throw new DTypeError("matmul", `expected numeric dtypes, got ${x.dtype} and ${y.dtype}`);
  const xs = x.ndim === 1 ? [1, ...x.shape] : x.shape;
  const ys = y.ndim === 1 ? [...y.shape, 1] : y.shape;
  const k1 = xs[xs.length - 1];
  const k2 = ys[ys.length - 2];
  if (k1 !== k2) throw new ShapeError("matmul", `inner dimensions differ: ${fmtShape(x.shape)} @ ${fmtShape(y.shape)}`);
  const batch = broadcastShapes("matmul", xs.slice(0, -2), ys.slice(0, -2));
  const dt = promote(x.dtype, y.dtype);
  const lift = (t: Tensor, s: readonly number[]) =>
    t.ndim === s.length ? t.node : build("reshape", [t.node], { shape: [...s] });
  const xn = broadcastNode(castNode(lift(x, xs), dt), [...batch, ...xs.slice(-2)]);
  const yn = broadcastNode(castNode(lift(y, ys), dt), [...batch, ...ys.slice(-2)]);
  const out = build("matmul", [xn, yn]);
  const shape = [
    ...batch,
    ...(x.ndim === 1 ? [] : [xs[xs.length - 2] as number]),
    ...(y.ndim === 1 ? [] : [ys[ys.length - 1] as number]),
  ];
  return new Tensor(shape.length === out.shape.length ? out : build("reshape", [out], { shape }));
}

/** Dot product of 1-D tensors (matmul otherwise). */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  return matmul(a, b);
}
/** Outer product of two 1-D tensors. */
export function outer(_a: TensorLike, _b: TensorLike): Tensor {
  throw new ShapeError("outer", "not available yet");
}
/** Einstein summation, e.g. einsum("bij,bjk->bik", a, b). */
export function einsum(_subscripts: string, ..._xs: TensorLike[]): Tensor {
  throw new ShapeError("einsum", "not available yet");
}
