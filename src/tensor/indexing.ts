// NumPy-style indexing: `t.at("1:, ::2, None, ...")` and its typed form, integer-array gather,
// take, takeAlongAxis, scatterAdd and oneHot. Basic indexing (integers, slices, None, ...) is a
// view: slice, flip and reshape primitives only. Integer arrays gather. See docs/indexing.md.
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { broadcastShapes, contiguousStrides, normAxis, sizeOf, type Shape } from "../core/shape.js";
import { build, graphBuilder, type Node } from "../graph/node.js";
import { Ops } from "../ops/helpers.js";
import { scatterAdd as scatterAddNodes } from "../ops/movement.js";
import { asTensor, broadcastNode, castNode, fromArray, fullNode, type TensorLike } from "./convert.js";
import { add, ge, logicalAnd, lt, mul, resultDType, where } from "./math.js";
import { Tensor, isTensor } from "./tensor.js";

/** One index item of the typed form (see docs/indexing.md). */
export type IndexItem =
  number | { start?: number; stop?: number; step?: number } | null | "..." | Tensor | readonly number[];

const wrap = (n: Node): Tensor => new Tensor(n);
const same = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
const reshapeNode = (n: Node, s: Shape): Node => (same(n.shape, s) ? n : build("reshape", [n], { shape: [...s] }));
const permuteNode = (n: Node, perm: readonly number[]): Node =>
  perm.every((p, i) => p === i) ? n : build("permute", [n], { perm: [...perm] });

// ---- integer indices: values known at build time (checked there), or an int32 tensor ----

type Ints = { kind: "static"; values: number[]; shape: number[] } | { kind: "tensor"; t: Tensor };
const shapeOf = (i: Ints): number[] => (i.kind === "static" ? i.shape : i.t.shape);

/** Integers from a JS number, a (nested) array or a typed array. */
function staticInts(op: string, v: unknown, what: string): Ints {
  if (ArrayBuffer.isView(v)) v = Array.from(v as unknown as ArrayLike<number>);
  const shape: number[] = [];
  for (let cur = v; Array.isArray(cur); cur = cur[0]) shape.push(cur.length);
  const values: number[] = [];
  const walk = (u: unknown, d: number): void => {
    if (d === shape.length) {
      if (typeof u !== "number" || !Number.isInteger(u))
        throw new ValueError(op, `${what} must be integers, got ${JSON.stringify(u) ?? String(u)}`);
      values.push(u);
    } else if (!Array.isArray(u) || u.length !== shape[d]) {
      throw new ShapeError(op, `${what} is a ragged list: expected length ${shape[d]} at depth ${d}`);
    } else for (const w of u) walk(w, d + 1);
  };
  walk(v, 0);
  return { kind: "static", values, shape };
}

function toInts(op: string, v: unknown, what: string): Ints {
  if (!isTensor(v)) return staticInts(op, v, what);
  if (v.dtype !== "int32") {
    const hint = v.dtype === "bool" ? " (boolean masks are not supported: their result shape depends on the data)" : "";
    throw new DTypeError(op, `${what} must be int32, got ${v.dtype}${hint}`);
  }
  return { kind: "tensor", t: v };
}

/** Negative indices wrap; values known now must lie in [-n, n). Tensor values are unchecked (see docs). */
function prepare(op: string, i: Ints, n: number, axis: number): Ints {
  if (i.kind === "tensor") return { kind: "tensor", t: where(lt(i.t, 0), add(i.t, n), i.t) };
  const bad = i.values.find((v) => v < -n || v >= n);
  if (bad !== undefined) throw new ValueError(op, `index ${bad} is out of bounds for axis ${axis} with size ${n}`);
  return { kind: "static", values: i.values.map((v) => (v < 0 ? v + n : v)), shape: i.shape };
}

/** values[s + k] = v + k·step for the positions of one run. */
type Run = { s: number; v: number; step: number };
/** Above this many arithmetic runs, a static index list becomes a constant tensor. */
const MAX_RUNS = 32;

/**
 * An int32 node holding `values` (row-major) in `shape`. Lists made of few arithmetic runs are
 * written as iota arithmetic, so no constant buffer is needed (and none can be freed early by tidy).
 */
function nodeFromInts(values: readonly number[], shape: Shape): Node {
  const m = values.length;
  if (m === 0) return fullNode(0, shape, "int32");
  const runs: Run[] = [];
  for (let i = 0; i < m;) {
    const v0 = values[i] as number;
    const step = i + 1 < m ? (values[i + 1] as number) - v0 : 0;
    let j = i + 1;
    while (j < m && (values[j] as number) - (values[j - 1] as number) === step) j++;
    runs.push({ s: i, v: v0, step });
    i = j;
  }
  if (runs.length > MAX_RUNS) return fromArray(Int32Array.from(values), shape, "int32").node;
  const pos = wrap(build("iota", [], { shape: [m], axis: 0, dtype: "int32" }));
  const line = (r: Run): Tensor =>
    r.step === 0 ? wrap(fullNode(r.v, [m], "int32")) : add(mul(pos, r.step), r.v - r.s * r.step);
  let out = line(runs[runs.length - 1] as Run);
  for (let r = runs.length - 2; r >= 0; r--) out = where(lt(pos, (runs[r + 1] as Run).s), line(runs[r] as Run), out);
  return reshapeNode(out.node, shape);
}

const intsNode = (i: Ints): Node => (i.kind === "static" ? nodeFromInts(i.values, i.shape) : i.t.node);

/** y gathered at (prepared) indices along `axis`; a 1-D arithmetic list is a view instead. */
function gatherAxis(y: Node, idx: Ints, axis: number): Node {
  if (idx.kind === "static" && idx.shape.length === 1 && idx.values.length > 0) {
    const v = idx.values;
    const m = v.length;
    const step = m > 1 ? (v[1] as number) - (v[0] as number) : 1;
    if (v.every((e, i) => e === (v[0] as number) + i * step)) {
      const lo = Math.min(v[0] as number, v[m - 1] as number);
      const win = (len: number, st: number): Node =>
        build("slice", [y], {
          starts: y.shape.map((_, i) => (i === axis ? lo : 0)),
          steps: y.shape.map((_, i) => (i === axis ? st : 1)),
          shape: y.shape.map((d, i) => (i === axis ? len : d)),
        });
      if (step > 0) return step === 1 && m === y.shape[axis] ? y : win(m, step);
      if (step < 0) return build("flip", [win(m, -step)], { axes: [axis] });
      return build("expand", [win(1, 1)], { shape: y.shape.map((d, i) => (i === axis ? m : d)) });
    }
  }
  return build("gather", [y, intsNode(idx)], { axis });
}

/** Moves the `len` axes starting at `from` so that they start at `to`. */
function moveBlock(n: Node, from: number, len: number, to: number): Node {
  const axes = n.shape.map((_, i) => i);
  const block = axes.splice(from, len);
  axes.splice(to, 0, ...block);
  return permuteNode(n, axes);
}

// ---- at: parsing ----

type Slice = { start?: number | undefined; stop?: number | undefined; step?: number | undefined };
type Item =
  { k: "int"; i: number } | { k: "slice"; s: Slice } | { k: "new" } | { k: "ellipsis" } | { k: "ints"; ints: Ints };

const INT = /^[+-]?\d+$/;

function parseItem(tok: string, src: string): Item {
  const bad = (why: string): ValueError => new ValueError("at", `cannot parse index item "${tok}" in "${src}": ${why}`);
  if (tok === "") throw bad("empty item");
  if (tok === "...") return { k: "ellipsis" };
  if (tok === "None" || tok === "null") return { k: "new" };
  if (tok.startsWith("[")) {
    let v: unknown;
    try {
      v = JSON.parse(tok);
    } catch {
      throw bad("expected a list of integers like [0,2]");
    }
    return { k: "ints", ints: staticInts("at", v, `index list ${tok}`) };
  }
  if (tok.includes(":")) {
    const parts = tok.split(":").map((p) => p.trim());
    if (parts.length > 3) throw bad("a slice is start:stop:step");
    const num = (p: string | undefined): number | undefined => {
      if (!p) return undefined;
      if (!INT.test(p)) throw bad(`"${p}" is not an integer`);
      return Number(p);
    };
    return { k: "slice", s: { start: num(parts[0]), stop: num(parts[1]), step: num(parts[2]) } };
  }
  if (INT.test(tok)) return { k: "int", i: Number(tok) };
  throw bad("expected an integer, start:stop:step, None, ... or a list like [0,2]");
}

/** Splits at top-level commas and parses each item; a blank string is no items. */
function parseIndex(src: string): Item[] {
  if (src.trim() === "") return [];
  const toks: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of src) {
    if (ch === "[") depth++;
    if (ch === "]") depth--;
    if (depth < 0) break;
    if (ch === "," && depth === 0) {
      toks.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (depth !== 0) throw new ValueError("at", `unbalanced brackets in index "${src}"`);
  toks.push(cur.trim());
  return toks.map((t) => parseItem(t, src));
}

function toItems(v: string | IndexItem): Item[] {
  if (typeof v === "string") return parseIndex(v);
  if (v === null) return [{ k: "new" }];
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new ValueError("at", `index ${v} is not an integer`);
    return [{ k: "int", i: v }];
  }
  if (isTensor(v)) return [{ k: "ints", ints: toInts("at", v, "an index tensor") }];
  if (Array.isArray(v)) return [{ k: "ints", ints: staticInts("at", v, "an index list") }];
  if (typeof v === "object") {
    const s = v as Record<string, unknown>;
    for (const key of Object.keys(s)) {
      const val = s[key];
      if (key !== "start" && key !== "stop" && key !== "step")
        throw new ValueError("at", `unknown slice key "${key}" (expected start, stop, step)`);
      if (val !== undefined && val !== null && !Number.isInteger(val))
        throw new ValueError("at", `slice ${key} must be an integer, got ${String(val)}`);
    }
    const num = (u: unknown): number | undefined => (typeof u === "number" ? u : undefined);
    return [{ k: "slice", s: { start: num(s.start), stop: num(s.stop), step: num(s.step) } }];
  }
  throw new ValueError("at", `unsupported index item ${String(v)}`);
}

/** NumPy's slice.indices(n): the first index, the step and the length. */
function sliceRange(n: number, s: Slice): { start: number; step: number; len: number } {
  const step = s.step ?? 1;
  if (step === 0) throw new ValueError("at", "slice step cannot be zero");
  const [lo, hi] = step > 0 ? [0, n] : [-1, n - 1];
  const clamp = (v: number | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    if (v < 0) return Math.max(v + n, lo);
    return Math.min(v, hi);
  };
  const start = clamp(s.start, step > 0 ? lo : hi);
  const stop = clamp(s.stop, step > 0 ? hi : lo);
  const len = step > 0 ? Math.max(0, Math.ceil((stop - start) / step)) : Math.max(0, Math.ceil((start - stop) / -step));
  return { start, step, len };
}

// ---- at ----

/**
 * NumPy-style indexing from a string ("1:, ::2, None, ...") and/or typed items: integers, slices
 * {start, stop, step}, null (new axis), "..." and integer arrays (number[] or int32 tensors).
 * Basic indexing is a view; integer arrays gather (NumPy's advanced-indexing rules).
 */
export function at(x: TensorLike, ...index: (string | IndexItem)[]): Tensor {
  const t = asTensor(x);
  const items = index.flatMap(toItems);
  const nEll = items.filter((it) => it.k === "ellipsis").length;
  if (nEll > 1) throw new ValueError("at", `an index can have at most one ellipsis (...), got ${nEll}`);
  const used = items.filter((it) => it.k !== "new" && it.k !== "ellipsis").length;
  if (used > t.ndim)
    throw new ShapeError(
      "at",
      `too many indices for a tensor of shape ${fmtShape(t.shape)}: ${used} axes indexed, but it has ${t.ndim}`,
    );
  const fill: Item[] = Array.from({ length: t.ndim - used }, () => ({ k: "slice", s: {} }));
  const e = items.findIndex((it) => it.k === "ellipsis");
  const all = e < 0 ? [...items, ...fill] : [...items.slice(0, e), ...fill, ...items.slice(e + 1)];

  const starts: number[] = [];
  const steps: number[] = [];
  const lens: number[] = [];
  const flips: number[] = [];
  const yShape: number[] = [];
  /** Positions in `all` of the integer and integer-array items (for NumPy's adjacency rule). */
  const advItems: number[] = [];
  const adv: { pos: number; axis: number; ints: Ints }[] = [];
  let ax = 0;
  all.forEach((it, k) => {
    if (it.k === "new" || it.k === "ellipsis") return void yShape.push(1);
    const n = t.shape[ax] as number;
    if (it.k === "int") {
      if (it.i < -n || it.i >= n)
        throw new ValueError("at", `index ${it.i} is out of bounds for axis ${ax} with size ${n}`);
      starts.push(it.i < 0 ? it.i + n : it.i);
      steps.push(1);
      lens.push(1);
      advItems.push(k);
    } else if (it.k === "slice") {
      const { start, step, len } = sliceRange(n, it.s);
      const first = step > 0 ? start : start + (len - 1) * step;
      starts.push(len > 0 ? first : 0);
      steps.push(Math.abs(step));
      lens.push(len);
      if (step < 0 && len > 1) flips.push(ax);
      yShape.push(len);
    } else {
      starts.push(0);
      steps.push(1);
      lens.push(n);
      adv.push({ pos: yShape.length, axis: ax, ints: it.ints });
      advItems.push(k);
      yShape.push(n);
    }
    ax++;
  });
  let y = t.node;
  if (lens.some((l, i) => starts[i] !== 0 || steps[i] !== 1 || l !== t.shape[i]))
    y = build("slice", [y], { starts, steps, shape: lens });
  if (flips.length) y = build("flip", [y], { axes: flips });
  y = reshapeNode(y, yShape);
  if (!adv.length) return wrap(y);

  // Advanced indexing: the index arrays broadcast to B; B replaces the indexed axes, where the
  // first one was if the array (and integer) items are adjacent, else in front.
  const adjacent = advItems.every((k, i) => i === 0 || k === (advItems[i - 1] as number) + 1);
  const sizes = adv.map((a) => y.shape[a.pos] as number);
  const idx = adv.map((a, j) => prepare("at", a.ints, sizes[j] as number, a.axis));
  const B = idx.reduce<number[]>((s, i) => broadcastShapes("at", s, shapeOf(i)), []);
  const p = (adv[0] as (typeof adv)[number]).pos;
  let out: Node;
  let bPos = 0;
  if (adv.length === 1) {
    out = gatherAxis(y, idx[0] as Ints, p);
    bPos = p;
  } else {
    const rest = y.shape.map((_, i) => i).filter((i) => !adv.some((a) => a.pos === i));
    const moved = permuteNode(y, [...adv.map((a) => a.pos), ...rest]);
    const flat = reshapeNode(moved, [sizeOf(sizes), ...rest.map((i) => y.shape[i] as number)]);
    const strides = contiguousStrides(sizes);
    out = build("gather", [flat, linearIndex(idx, sizes, strides, B)], { axis: 0 });
  }
  return wrap(moveBlock(out, bPos, B.length, adjacent ? p : 0));
}

/** Σ idx_j · stride_j over the index arrays broadcast to B; -1 (reads 0) where a tensor index is out of range. */
function linearIndex(idx: Ints[], sizes: number[], strides: number[], B: Shape): Node {
  if (idx.every((i) => i.kind === "static")) {
    const bs = B.map(() => 0);
    const vals = Array.from({ length: sizeOf(B) }, (_, flat) => {
      let r = flat;
      for (let d = B.length - 1; d >= 0; d--) {
        bs[d] = r % (B[d] as number);
        r = Math.floor(r / (B[d] as number));
      }
      return idx.reduce((acc, i, j) => {
        const s = (i as { shape: number[] }).shape;
        const off = B.length - s.length;
        const k = s.reduce((a, d, q) => a * d + (d === 1 ? 0 : (bs[off + q] as number)), 0);
        return acc + ((i as { values: number[] }).values[k] as number) * (strides[j] as number);
      }, 0);
    });
    return nodeFromInts(vals, B);
  }
  let lin: Tensor | undefined;
  let valid: Tensor | undefined;
  idx.forEach((i, j) => {
    const v = wrap(broadcastNode(intsNode(i), B));
    const term = mul(v, strides[j] as number);
    lin = lin ? add(lin, term) : term;
    if (i.kind === "tensor") {
      const ok = logicalAnd(ge(v, 0), lt(v, sizes[j] as number));
      valid = valid ? logicalAnd(valid, ok) : ok;
    }
  });
  return where(valid as Tensor, lin as Tensor, -1).node;
}

// ---- take, takeAlongAxis, scatterAdd, oneHot ----

/**
 * NumPy take: the elements at integer `indices` along `axis` (of the flattened tensor when
 * omitted); the result has x's shape with that axis replaced by the indices' shape. Negative
 * indices wrap. Indices given as JS numbers are range-checked; out-of-range values in an int32
 * tensor read 0.
 */
export function take(x: TensorLike, indices: TensorLike, axis?: number): Tensor {
  let t = asTensor(x);
  if (axis === undefined) t = wrap(reshapeNode(t.node, [t.size]));
  const a = normAxis("take", axis ?? 0, t.ndim);
  const idx = prepare("take", toInts("take", indices, "indices"), t.shape[a] as number, a);
  return wrap(gatherAxis(t.node, idx, a));
}

/**
 * out[..., j, ...] = x[..., indices[..., j, ...], ...] along `axis` (NumPy take_along_axis):
 * indices has x's rank and broadcasts against x on the other axes. Negative indices wrap.
 */
export function takeAlongAxis(x: TensorLike, indices: TensorLike, axis: number): Tensor {
  const t = asTensor(x);
  const a = normAxis("takeAlongAxis", axis, t.ndim);
  const raw = toInts("takeAlongAxis", indices, "indices");
  const is = shapeOf(raw);
  const xs = t.shape;
  if (is.length !== xs.length || xs.some((d, i) => i !== a && d !== is[i] && d !== 1 && is[i] !== 1))
    throw new ShapeError(
      "takeAlongAxis",
      `indices of shape ${fmtShape(is)} must have the rank of x ${fmtShape(xs)} and broadcast with it outside axis ${a}`,
    );
  const n = xs[a] as number;
  const idx = prepare("takeAlongAxis", raw, n, a);
  const base = xs.map((d, i) => (i === a ? n : Math.max(d, is[i] as number)));
  const outShape = base.map((d, i) => (i === a ? (is[a] as number) : d));
  const strides = contiguousStrides(base);
  const flat = reshapeNode(broadcastNode(t.node, base), [sizeOf(base)]);
  const j = wrap(broadcastNode(intsNode(idx), outShape));
  let lin = mul(j, strides[a] as number);
  outShape.forEach((d, i) => {
    if (i !== a && d > 1)
      lin = add(lin, mul(wrap(build("iota", [], { shape: outShape, axis: i, dtype: "int32" })), strides[i] as number));
  });
  if (idx.kind === "tensor") lin = where(logicalAnd(ge(j, 0), lt(j, n)), lin, -1);
  return wrap(build("gather", [flat, lin.node], { axis: 0 }));
}

/**
 * x with `updates` added at `indices` along `axis` (functional; repeated indices accumulate):
 * out[a, indices[i], b] += updates[a, i, b]. updates broadcasts to
 * x.shape[:axis] + indices.shape + x.shape[axis+1:]. Negative indices wrap; out-of-range values
 * in an int32 tensor are dropped.
 */
export function scatterAdd(x: TensorLike, indices: TensorLike, updates: TensorLike, axis = 0): Tensor {
  const t = asTensor(x);
  if (t.dtype === "bool") throw new DTypeError("scatterAdd", "cannot add into a bool tensor (cast it to int32 first)");
  const a = normAxis("scatterAdd", axis, t.ndim);
  const idx = prepare("scatterAdd", toInts("scatterAdd", indices, "indices"), t.shape[a] as number, a);
  const want = [...t.shape.slice(0, a), ...shapeOf(idx), ...t.shape.slice(a + 1)];
  const u = asTensor(updates);
  const us = u.shape;
  if (us.length > want.length || us.some((d, i) => d !== 1 && d !== want[want.length - us.length + i]))
    throw new ShapeError(
      "scatterAdd",
      `updates of shape ${fmtShape(us)} do not broadcast to ${fmtShape(want)} (x.shape[:axis] + indices.shape + x.shape[axis+1:])`,
    );
  const dtype = resultDType(t, updates);
  const upd = broadcastNode(castNode(u.node, dtype), want);
  return wrap(scatterAddNodes(new Ops(graphBuilder), castNode(t.node, dtype), intsNode(idx), upd, a));
}

/**
 * One-hot encoding of integer labels as float32, with a new last axis of size `n`. Labels given
 * as JS numbers must lie in [0, n); in an int32 tensor, labels outside give an all-zero row.
 */
export function oneHot(labels: TensorLike, n: number): Tensor {
  if (!Number.isInteger(n) || n < 0)
    throw new ValueError("oneHot", `the number of classes must be a non-negative integer, got ${n}`);
  const raw = toInts("oneHot", labels, "labels");
  if (raw.kind === "static") {
    const bad = raw.values.find((v) => v < 0 || v >= n);
    if (bad !== undefined) throw new ValueError("oneHot", `label ${bad} is out of range for ${n} classes`);
  }
  const ls = shapeOf(raw);
  const out = [...ls, n];
  const lab = broadcastNode(reshapeNode(intsNode(raw), [...ls, 1]), out);
  const pos = build("iota", [], { shape: out, axis: ls.length, dtype: "int32" });
  return wrap(build("cast", [build("cmpeq", [lab, pos])], { dtype: "float32" }));
}
