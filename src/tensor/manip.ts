// Joining, splitting and rearranging: concat, stack, split, chunk, pad, flip, tile, repeat, triu, tril.
// All are composites of view primitives (reshape, expand, slice, flip, pad) and where/add, so they
// get gradients and every backend for free.
import { castScalar, promote } from "../core/dtype.js";
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { normAxes, normAxis } from "../core/shape.js";
import { build, type Node } from "../graph/node.js";
import { asTensor, castNode, fullNode, type TensorLike } from "./convert.js";
import { ge, le, where } from "./math.js";
import { Tensor } from "./tensor.js";

const wrap = (n: Node): Tensor => new Tensor(n);
const reshapeNode = (n: Node, shape: readonly number[]): Node =>
  shape.length === n.shape.length && shape.every((d, i) => d === n.shape[i])
    ? n
    : build("reshape", [n], { shape: [...shape] });
const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0;

/** The window [start, start + len) of `axis` (a view). */
function sliceAxis(n: Node, axis: number, start: number, len: number): Node {
  if (start === 0 && len === n.shape[axis]) return n;
  return build("slice", [n], {
    starts: n.shape.map((_, i) => (i === axis ? start : 0)),
    steps: n.shape.map(() => 1),
    shape: n.shape.map((d, i) => (i === axis ? len : d)),
  });
}

/**
 * Joins tensors along an existing axis (negative counts from the end). Shapes must agree except
 * along `axis`; dtypes are promoted to a common one. Built as a sum of zero-padded inputs.
 */
export function concat(xs: readonly TensorLike[], axis = 0): Tensor {
  if (xs.length === 0) throw new ValueError("concat", "expected at least one tensor, got none");
  const ts = xs.map((x) => asTensor(x));
  const t0 = ts[0] as Tensor;
  if (t0.ndim === 0) throw new ShapeError("concat", "cannot concatenate 0-d tensors (use stack)");
  const a = normAxis("concat", axis, t0.ndim);
  ts.forEach((t, i) => {
    if (t.ndim !== t0.ndim || t.shape.some((d, j) => j !== a && d !== t0.shape[j])) {
      const want = `[${t0.shape.map((d, j) => (j === a ? "*" : d)).join(",")}]`;
      throw new ShapeError(
        "concat",
        `tensor ${i} has shape ${fmtShape(t.shape)}, expected ${want} (shapes must agree except along axis ${a}); got ${ts.map((u) => fmtShape(u.shape)).join(", ")}`,
      );
    }
  });
  const dtype = ts.reduce((d, t) => promote(d, t.dtype), t0.dtype);
  const total = ts.reduce((n, t) => n + (t.shape[a] as number), 0);
  const parts: Node[] = [];
  let offset = 0;
  for (const t of ts) {
    const d = t.shape[a] as number;
    if (d > 0) {
      const widths = t.shape.map((_, j) => (j === a ? [offset, total - offset - d] : [0, 0]) as [number, number]);
      const n = castNode(t.node, dtype);
      parts.push(d === total ? n : build("pad", [n], { widths, value: 0 }));
    }
    offset += d;
  }
  if (parts.length === 0) return wrap(castNode(t0.node, dtype));
  // a balanced tree of adds (or `or` for bool): every output element comes from exactly one input
  const join = dtype === "bool" ? "or" : "add";
  while (parts.length > 1) {
    const next: Node[] = [];
    for (let i = 0; i < parts.length; i += 2) {
      const [p, q] = [parts[i] as Node, parts[i + 1]];
      next.push(q ? build(join, [p, q]) : p);
    }
    parts.splice(0, parts.length, ...next);
  }
  return wrap(parts[0] as Node);
}

/** Joins tensors of one shape along a new axis `axis` of the result (negative counts from the end). */
export function stack(xs: readonly TensorLike[], axis = 0): Tensor {
  if (xs.length === 0) throw new ValueError("stack", "expected at least one tensor, got none");
  const ts = xs.map((x) => asTensor(x));
  const s0 = (ts[0] as Tensor).shape;
  ts.forEach((t, i) => {
    if (t.ndim !== s0.length || t.shape.some((d, j) => d !== s0[j]))
      throw new ShapeError(
        "stack",
        `tensor ${i} has shape ${fmtShape(t.shape)}, expected ${fmtShape(s0)} (all inputs must have the same shape)`,
      );
  });
  const a = normAxis("stack", axis, s0.length + 1);
  const lifted = ts.map((t) => {
    const s = [...t.shape];
    s.splice(a, 0, 1);
    return wrap(reshapeNode(t.node, s));
  });
  return concat(lifted, a);
}

/**
 * Splits along `axis` into `sections` equal parts (the axis size must divide evenly), or into
 * pieces of the listed sizes (they must add up to the axis size). Each piece is a view.
 */
export function split(x: TensorLike, sections: number | readonly number[], axis = 0): Tensor[] {
  const t = asTensor(x);
  const a = normAxis("split", axis, t.ndim);
  const d = t.shape[a] as number;
  let sizes: number[];
  if (typeof sections === "number") {
    if (!Number.isInteger(sections) || sections < 1)
      throw new ValueError("split", `the number of sections must be a positive integer, got ${sections}`);
    if (d % sections !== 0)
      throw new ValueError(
        "split",
        `axis ${a} of ${fmtShape(t.shape)} has size ${d}, which does not divide into ${sections} equal sections (use chunk, or give section sizes)`,
      );
    sizes = new Array<number>(sections).fill(d / sections);
  } else {
    sizes = [...sections];
    if (sizes.some((s) => !isCount(s)) || sizes.reduce((p, q) => p + q, 0) !== d)
      throw new ValueError(
        "split",
        `section sizes ${JSON.stringify(sections)} must be non-negative integers adding up to ${d}, the size of axis ${a} of ${fmtShape(t.shape)}`,
      );
  }
  let start = 0;
  return sizes.map((s) => {
    const piece = wrap(sliceAxis(t.node, a, start, s));
    start += s;
    return piece;
  });
}

/**
 * Splits along `axis` into chunks of ceil(size / n) elements, the last one smaller (like
 * torch.chunk, so fewer than `n` chunks come back when the size is too small to give n; an empty
 * axis gives n empty chunks).
 */
export function chunk(x: TensorLike, n: number, axis = 0): Tensor[] {
  const t = asTensor(x);
  if (!Number.isInteger(n) || n < 1)
    throw new ValueError("chunk", `the number of chunks must be a positive integer, got ${n}`);
  const a = normAxis("chunk", axis, t.ndim);
  const d = t.shape[a] as number;
  if (d === 0) return split(t, n, a);
  const c = Math.ceil(d / n);
  const sizes: number[] = [];
  for (let rest = d; rest > 0; rest -= c) sizes.push(Math.min(c, rest));
  return split(t, sizes, a);
}

/**
 * Pads with the constant `value`. `widths` is one [before, after] pair per axis; a single pair
 * pads every axis; k < rank pairs (k > 1) pad the k trailing axes; a number w means [w, w] on
 * every axis. Negative widths crop.
 */
export function pad(x: TensorLike, widths: readonly (readonly [number, number])[] | number, value = 0): Tensor {
  const t = asTensor(x);
  const nd = t.ndim;
  let ws: (readonly [number, number])[];
  if (typeof widths === "number") ws = t.shape.map(() => [widths, widths] as const);
  else if (widths.length === 1 && nd > 1) ws = t.shape.map(() => widths[0] as readonly [number, number]);
  else if (widths.length <= nd) ws = [...t.shape.slice(widths.length).map(() => [0, 0] as const), ...widths];
  else
    throw new ValueError(
      "pad",
      `got ${widths.length} [before, after] pairs for a tensor of shape ${fmtShape(t.shape)} (rank ${nd})`,
    );
  ws.forEach((w, i) => {
    const d = t.shape[i] as number;
    if (!Array.isArray(w) || w.length !== 2 || !w.every(Number.isInteger) || Math.min(w[0], 0) + Math.min(w[1], 0) < -d)
      throw new ValueError(
        "pad",
        `widths ${JSON.stringify(w)} for axis ${i} of ${fmtShape(t.shape)} must be two integers, cropping at most ${d} elements`,
      );
  });
  let n = t.node;
  if (ws.some(([lo, hi]) => lo < 0 || hi < 0)) {
    n = build("slice", [n], {
      starts: ws.map(([lo]) => Math.max(0, -lo)),
      steps: ws.map(() => 1),
      shape: ws.map(([lo, hi], i) => (t.shape[i] as number) + Math.min(lo, 0) + Math.min(hi, 0)),
    });
  }
  const grow = ws.map(([lo, hi]) => [Math.max(lo, 0), Math.max(hi, 0)] as [number, number]);
  if (grow.some(([lo, hi]) => lo > 0 || hi > 0))
    n = build("pad", [n], { widths: grow, value: castScalar(value, t.dtype) });
  return wrap(n);
}

/** Reverses the order of elements along the axes (all when omitted; negative count from the end). A view. */
export function flip(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const t = asTensor(x);
  const axes = normAxes("flip", axis, t.ndim).filter((a) => (t.shape[a] as number) > 1);
  return axes.length ? wrap(build("flip", [t.node], { axes })) : t;
}

/**
 * Repeats the whole tensor `reps[i]` times along each axis (NumPy tile): when `reps` is shorter
 * than the rank it is padded with leading 1s, when longer the tensor gets leading size-1 axes.
 */
export function tile(x: TensorLike, reps: readonly number[]): Tensor {
  const t = asTensor(x);
  if (!reps.every(isCount)) throw new ValueError("tile", `reps ${JSON.stringify(reps)} must be non-negative integers`);
  const nd = Math.max(t.ndim, reps.length);
  const xs = [...new Array<number>(nd - t.ndim).fill(1), ...t.shape];
  const rs = [...new Array<number>(nd - reps.length).fill(1), ...reps];
  if (rs.every((r) => r === 1)) return wrap(reshapeNode(t.node, xs));
  const lifted = reshapeNode(
    t.node,
    xs.flatMap((d) => [1, d]),
  );
  const spread = build("expand", [lifted], { shape: xs.flatMap((d, i) => [rs[i] as number, d]) });
  return wrap(
    reshapeNode(
      spread,
      xs.map((d, i) => d * (rs[i] as number)),
    ),
  );
}

/** Repeats each element `repeats` times along `axis` (over the flattened tensor when omitted), like NumPy repeat. */
export function repeat(x: TensorLike, repeats: number, axis?: number): Tensor {
  let t = asTensor(x);
  if (!isCount(repeats)) throw new ValueError("repeat", `repeats must be a non-negative integer, got ${repeats}`);
  if (axis === undefined) t = wrap(reshapeNode(t.node, [t.size]));
  const a = normAxis("repeat", axis ?? 0, t.ndim);
  if (repeats === 1) return t;
  const s = t.shape;
  const lifted = reshapeNode(t.node, [...s.slice(0, a + 1), 1, ...s.slice(a + 1)]);
  const spread = build("expand", [lifted], { shape: [...s.slice(0, a + 1), repeats, ...s.slice(a + 1)] });
  return wrap(reshapeNode(spread, [...s.slice(0, a), (s[a] as number) * repeats, ...s.slice(a + 1)]));
}

/** Keeps the elements of the last two axes where `keep(row, col)`, zeroes the others. */
function triangle(op: string, x: TensorLike, k: number, upper: boolean): Tensor {
  const t = asTensor(x);
  if (t.ndim < 2)
    throw new ShapeError(op, `expected a matrix or a batch of matrices (rank >= 2), got shape ${fmtShape(t.shape)}`);
  if (!Number.isInteger(k)) throw new ValueError(op, `diagonal offset k must be an integer, got ${k}`);
  const mn = t.shape.slice(-2);
  const i = wrap(build("iota", [], { shape: mn, axis: 0, dtype: "int32" })).add(k);
  const j = wrap(build("iota", [], { shape: mn, axis: 1, dtype: "int32" }));
  const keep = upper ? ge(j, i) : le(j, i);
  return where(keep, t, wrap(fullNode(0, t.shape, t.dtype)));
}

/** Upper triangle of the last two axes: keeps elements on and above diagonal k (k > 0 is above the main one). */
export function triu(x: TensorLike, k = 0): Tensor {
  return triangle("triu", x, k, true);
}
/** Lower triangle of the last two axes: keeps elements on and below diagonal k (k > 0 is above the main one). */
export function tril(x: TensorLike, k = 0): Tensor {
  return triangle("tril", x, k, false);
}
