// Shape ops: reshape, permute, broadcast, squeeze/unsqueeze, flatten, moveaxis. All are views
// (no copy where strides allow).
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { broadcastShapes, normAxis, normAxes, sizeOf } from "../core/shape.js";
import { build } from "../graph/node.js";
import { asTensor, broadcastNode, type TensorLike } from "./convert.js";
import { Tensor } from "./tensor.js";

/** New shape with the same elements; one entry may be -1 (inferred). */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  const t = asTensor(x);
  const neg = shape.filter((d) => d === -1).length;
  if (neg > 1 || shape.some((d) => !Number.isInteger(d) || d < -1))
    throw new ShapeError("reshape", `invalid target shape ${fmtShape(shape)}`);
  let target = [...shape];
  if (neg === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || t.size % known !== 0)
      throw new ShapeError("reshape", `cannot reshape ${fmtShape(t.shape)} (size ${t.size}) to ${fmtShape(shape)}`);
    target = shape.map((d) => (d === -1 ? t.size / known : d));
  }
  if (target.length === t.ndim && target.every((d, i) => d === t.shape[i])) return t;
  return new Tensor(build("reshape", [t.node], { shape: target }));
}

/** Reorders axes: output axis k is input axis perm[k] (negative axes allowed). */
export function permute(x: TensorLike, perm: readonly number[]): Tensor {
  const t = asTensor(x);
  if (perm.length !== t.ndim)
    throw new ValueError("permute", `expected ${t.ndim} axes for ${fmtShape(t.shape)}, got ${JSON.stringify(perm)}`);
  const p = perm.map((a) => normAxis("permute", a, t.ndim));
  if (p.every((a, i) => a === i)) return t;
  return new Tensor(build("permute", [t.node], { perm: p }));
}

/** Reverses the axes (NumPy `transpose`), or applies `perm`. */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  const t = asTensor(x);
  return permute(t, perm ?? t.shape.map((_, i) => t.ndim - 1 - i));
}

/** Swaps two axes. */
export function swapaxes(x: TensorLike, a: number, b: number): Tensor {
  const t = asTensor(x);
  const p = t.shape.map((_, i) => i);
  const [i, j] = [normAxis("swapaxes", a, t.ndim), normAxis("swapaxes", b, t.ndim)];
  [p[i], p[j]] = [j, i];
  return permute(t, p);
}

/** Moves axis `src` to position `dst`. */
export function moveaxis(x: TensorLike, src: number, dst: number): Tensor {
  const t = asTensor(x);
  const s = normAxis("moveaxis", src, t.ndim);
  const d = normAxis("moveaxis", dst, t.ndim);
  const order = t.shape.map((_, i) => i).filter((i) => i !== s);
  order.splice(d, 0, s);
  return permute(t, order);
}

/** Broadcasts to `shape` (NumPy rules; -1 keeps a dim). */
export function expand(x: TensorLike, shape: readonly number[]): Tensor {
  const t = asTensor(x);
  const target = shape.map((d, i) => (d === -1 ? (t.shape[t.ndim - shape.length + i] ?? 1) : d));
  const out = broadcastShapes("expand", t.shape, target);
  if (out.length !== target.length || out.some((d, i) => d !== target[i])) {
    throw new ShapeError("expand", `cannot broadcast ${fmtShape(t.shape)} to ${fmtShape(shape)}`);
  }
  return new Tensor(broadcastNode(t.node, target));
}
export const broadcastTo = expand;

/** Removes size-1 axes (all of them, or the given ones). */
export function squeeze(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const t = asTensor(x);
  const axes = axis === undefined ? t.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normAxes("squeeze", axis, t.ndim);
  for (const a of axes)
    if (t.shape[a] !== 1)
      throw new ShapeError("squeeze", `axis ${a} of ${fmtShape(t.shape)} has size ${t.shape[a]}, expected 1`);
  return reshape(
    t,
    t.shape.filter((_, i) => !axes.includes(i)),
  );
}

/** Inserts a size-1 axis at `axis` (of the result; negative counts from the end). */
export function unsqueeze(x: TensorLike, axis: number): Tensor {
  const t = asTensor(x);
  const a = normAxis("unsqueeze", axis, t.ndim + 1);
  const s = [...t.shape];
  s.splice(a, 0, 1);
  return reshape(t, s);
}

/** Merges axes start…end (inclusive) into one. */
export function flatten(x: TensorLike, start = 0, end = -1): Tensor {
  const t = asTensor(x);
  if (t.ndim === 0) return reshape(t, [1]);
  const s = normAxis("flatten", start, t.ndim);
  const e = normAxis("flatten", end, t.ndim);
  if (e < s) throw new ValueError("flatten", `end axis ${end} comes before start axis ${start}`);
  return reshape(t, [...t.shape.slice(0, s), sizeOf(t.shape.slice(s, e + 1)), ...t.shape.slice(e + 1)]);
}
