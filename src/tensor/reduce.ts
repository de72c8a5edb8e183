// Reductions over axes (a number, a list, or all when omitted; negative axes count from the end),
// with keepdims; the statistics on top of them.
import { isFloat } from "../core/dtype.js";
import { ValueError, fmtShape } from "../core/errors.js";
import { normAxes, normAxis } from "../core/shape.js";
import { build, type Node } from "../graph/node.js";
import { asTensor, broadcastNode, type TensorLike } from "./convert.js";
import {
  add,
  astype,
  div,
  exp,
  log,
  mul,
  neg,
  stopGradient,
  sub,
  where,
  eq,
  logicalNot,
  sqrt,
  isTensor,
} from "./math.js";
import { Tensor, type Axis } from "./tensor.js";

function dropAxes(n: Node, axes: readonly number[], keepdims: boolean): Tensor {
  if (keepdims) return new Tensor(n);
  return new Tensor(build("reshape", [n], { shape: n.shape.filter((_, i) => !axes.includes(i)) }));
}

function reducePrim(op: string, prim: string, x: TensorLike, axis: Axis, keepdims: boolean): Tensor {
  let t = asTensor(x);
  if (t.dtype === "bool") t = astype(t, "int32");
  const axes = normAxes(op, axis, t.ndim);
  if (t.size === 0 && prim !== "sum" && prim !== "prod" && axes.some((a) => t.shape[a] === 0)) {
    throw new ValueError(op, `cannot reduce an empty axis of ${fmtShape(t.shape)} (no identity)`);
  }
  return dropAxes(build(prim, [t.node], { axes }), axes, keepdims);
}

export const sum = (x: TensorLike, axis?: Axis, keepdims = false): Tensor =>
  reducePrim("sum", "sum", x, axis, keepdims);
export const prod = (x: TensorLike, axis?: Axis, keepdims = false): Tensor =>
  reducePrim("prod", "prod", x, axis, keepdims);
/** Maximum; the gradient is shared evenly between tied maxima. */
export function max(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const t = asTensor(x);
  const out = reducePrim("max", "max", t, axis, keepdims);
  return t.dtype === "bool" ? astype(out, "bool") : out;
}
export function min(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const t = asTensor(x);
  const base = t.dtype === "bool" ? astype(t, "int32") : t;
  const out = neg(reducePrim("min", "max", neg(base), axis, keepdims));
  return t.dtype === "bool" ? astype(out, "bool") : out;
}

function countOf(t: Tensor, axes: readonly number[]): number {
  return axes.reduce((n, a) => n * (t.shape[a] ?? 1), 1);
}

export function mean(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const t = asTensor(x);
  normAxes("mean", axis, t.ndim);
  const f = isFloat(t.dtype) ? t : astype(t, "float32");
  return div(sum(f, axis, keepdims), countOf(t, normAxes("mean", axis, t.ndim)));
}

export interface VarianceOptions {
  keepdims?: boolean;
  /** Subtracted from the count in the denominator (1 gives the unbiased estimate). */
  correction?: number;
}
export function variance(x: TensorLike, axis?: Axis, opts: VarianceOptions = {}): Tensor {
  const t = asTensor(x);
  const f = isFloat(t.dtype) ? t : astype(t, "float32");
  const axes = normAxes("variance", axis, t.ndim);
  const d = sub(f, mean(f, axes, true));
  const n = Math.max(countOf(t, axes) - (opts.correction ?? 0), 0);
  return div(sum(mul(d, d), axes, opts.keepdims ?? false), n);
}
export const std = (x: TensorLike, axis?: Axis, opts: VarianceOptions = {}): Tensor => sqrt(variance(x, axis, opts));

/** log Σ eˣ, shifted by the (gradient-free) maximum for stability. */
export function logsumexp(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const t = asTensor(x);
  const axes = normAxes("logsumexp", axis, t.ndim);
  const m0 = stopGradient(max(t, axes, true));
  const m = where(eq(m0, m0), where(eq(abs1(m0), Infinity), 0, m0), 0);
  const s = log(sum(exp(sub(t, m)), axes, true));
  const out = add(s, m);
  return keepdims ? out : dropAxes(out.node, axes, false);
}
const abs1 = (t: Tensor): Tensor => where(t.lt(0), neg(t), t);

/** Whether any element is true (false over an empty axis). */
export const any = (x: TensorLike, axis?: Axis, keepdims = false): Tensor =>
  sum(astype(x, "bool"), axis, keepdims).gt(0);
export const all = (x: TensorLike, axis?: Axis, keepdims = false): Tensor =>
  logicalNot(any(logicalNot(x), axis, keepdims));

function argReduce(op: string, x: Tensor, axis: number | null | undefined, keepdims: boolean): Tensor {
  const t = x.dtype === "bool" ? astype(x, "int32") : x;
  if (axis === undefined || axis === null) {
    // over the flattened tensor; keepdims gives all-ones dims like NumPy
    const flat = argReduce(op, t.reshape([-1]), 0, false);
    return keepdims ? flat.reshape(x.shape.map(() => 1)) : flat;
  }
  if (t.size === 0) throw new ValueError(op, `cannot take ${op} of an empty tensor ${fmtShape(t.shape)}`);
  const a = normAxis(op, axis, t.ndim);
  return dropAxes(build("argmax", [t.node], { axes: [a] }), [a], keepdims);
}
/** Index of the first maximum along `axis` (over the flattened tensor when omitted). */
export const argmax = (x: TensorLike, axis?: number | null, keepdims = false): Tensor =>
  argReduce("argmax", asTensor(x), axis, keepdims);
export const argmin = (x: TensorLike, axis?: number | null, keepdims = false): Tensor =>
  argReduce("argmin", neg(asTensor(x).dtype === "bool" ? astype(x, "int32") : x), axis, keepdims);

/**
 * Running sum along `axis`: y[i] = Σ_{j≤i} x[j], written as a masked reduction (O(n²) work per
 * line on the reference backend; fused into one kernel, nothing of size n² is stored).
 */
export function cumsum(x: TensorLike, axis = -1): Tensor {
  const t0 = asTensor(x);
  const t = t0.dtype === "bool" ? astype(t0, "int32") : t0;
  if (t.ndim === 0) return t;
  const a = normAxis("cumsum", axis, t.ndim);
  const n = t.shape[a] as number;
  const moved = t.moveaxis(a, -1);
  const lead = moved.shape.slice(0, -1);
  const full = [...lead, n, n];
  const xs = broadcastNode(moved.reshape([...lead, 1, n]).node, full);
  const i = build("iota", [], { shape: full, axis: full.length - 2, dtype: "int32" });
  const j = build("iota", [], { shape: full, axis: full.length - 1, dtype: "int32" });
  const keep = new Tensor(build("not", [build("cmplt", [i, j])]));
  const summed = sum(where(keep, new Tensor(xs), 0), -1);
  return summed.moveaxis(-1, a);
}

export { isTensor };
