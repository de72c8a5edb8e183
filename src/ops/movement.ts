// Movement primitives: views (reshape, permute, expand, pad, slice, flip) map an output index to an
// input index and copy nothing where strides allow; gather reads at data-dependent indices.
import { alu, cnst, type Expr } from "../core/alu.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { contiguousStrides, sizeOf, type Shape, type View } from "../core/shape.js";
import { defineOp, type LowerCtx } from "./def.js";
import { Ops } from "./helpers.js";

const i32 = (v: number): Expr => cnst(v, "int32");
const add = (a: Expr, b: Expr): Expr => alu("add", [a, b], "int32");
const mul = (a: Expr, b: Expr): Expr => alu("mul", [a, b], "int32");

/** 0 <= j < n, as a bool expression. */
const inBounds = (j: Expr, n: number): Expr =>
  alu("and", [alu("not", [alu("cmplt", [j, i32(0)], "bool")], "bool"), alu("cmplt", [j, i32(n)], "bool")], "bool");

/** Row-major flat index of `idx` in `shape`, and its inverse. */
export function ravel(idx: readonly Expr[], shape: Shape): Expr {
  const st = contiguousStrides(shape);
  return idx.reduce<Expr>((acc, e, i) => (shape[i] === 1 ? acc : add(acc, mul(e, i32(st[i] ?? 0)))), i32(0));
}
export function unravel(flat: Expr, shape: Shape): Expr[] {
  const st = contiguousStrides(shape);
  return shape.map((d, i) =>
    d === 1 ? i32(0) : alu("mod", [alu("idiv", [flat, i32(st[i] ?? 1)], "int32"), i32(d)], "int32"),
  );
}

function reshapeIndex(c: LowerCtx, inShape: Shape): Expr[] {
  const out = c.outShape;
  // Only size-1 dims inserted or removed: map the remaining dims one to one.
  const a = out.flatMap((d, i) => (d === 1 ? [] : [i]));
  const b = inShape.flatMap((d, i) => (d === 1 ? [] : [i]));
  if (a.length === b.length && a.every((ai, k) => out[ai] === inShape[b[k] ?? -1])) {
    const res = inShape.map(() => i32(0));
    b.forEach((bi, k) => (res[bi] = c.idx[a[k] ?? 0] ?? i32(0)));
    return res;
  }
  return unravel(ravel(c.idx, out), inShape);
}

function reshapeView(v: View, shape: Shape): View | null {
  const keep = v.shape.flatMap((d, i) => (d === 1 ? [] : [i]));
  const keepOut = shape.flatMap((d, i) => (d === 1 ? [] : [i]));
  if (keep.length === keepOut.length && keep.every((k, j) => v.shape[k] === shape[keepOut[j] ?? -1])) {
    const strides = shape.map(() => 0);
    keepOut.forEach((o, j) => (strides[o] = v.strides[keep[j] ?? 0] ?? 0));
    return { shape: [...shape], strides, offset: v.offset };
  }
  const cs = contiguousStrides(v.shape);
  if (v.shape.every((d, i) => d === 1 || v.strides[i] === cs[i])) {
    return { shape: [...shape], strides: contiguousStrides(shape), offset: v.offset };
  }
  return null;
}

export const movementOps = {
  /** Same elements in row-major order, a new shape of the same size. */
  reshape: defineOp<{ shape: readonly number[] }>({
    arity: 1,
    shape: ([s], p) => {
      if (sizeOf(s ?? []) !== sizeOf(p.shape)) {
        throw new ShapeError(
          "reshape",
          `cannot reshape ${fmtShape(s ?? [])} (size ${sizeOf(s ?? [])}) to ${fmtShape(p.shape)}`,
        );
      }
      return [...p.shape];
    },
    dtype: ([d]) => d ?? "float32",
    vjp: (c) => [new Ops(c.b).reshape(c.g, c.b.shape(c.x[0] as typeof c.g))],
    lower: {
      kind: "expr",
      expr: (c) => c.load(0, reshapeIndex(c, c.inShapes[0] ?? [])),
      view: (v, p) => reshapeView(v, p.shape),
    },
  }),
  /** Output axis k is input axis perm[k]. */
  permute: defineOp<{ perm: readonly number[] }>({
    arity: 1,
    shape: ([s], p) => {
      const n = (s ?? []).length;
      const ok = p.perm.length === n && [...p.perm].sort((x, y) => x - y).every((v, i) => v === i);
      if (!ok)
        throw new ValueError(
          "permute",
          `${JSON.stringify(p.perm)} is not a permutation of the axes of ${fmtShape(s ?? [])}`,
        );
      return p.perm.map((a) => (s ?? [])[a] ?? 0);
    },
    dtype: ([d]) => d ?? "float32",
    vjp: (c) => {
      const inv = c.p.perm.map((_, i) => c.p.perm.indexOf(i));
      return [new Ops(c.b).permute(c.g, inv)];
    },
    lower: {
      kind: "expr",
      expr: (c, p) => {
        const inIdx = p.perm.map(() => i32(0));
        p.perm.forEach((a, k) => (inIdx[a] = c.idx[k] ?? i32(0)));
        return c.load(0, inIdx);
      },
      view: (v, p) => ({
        shape: p.perm.map((a) => v.shape[a] ?? 0),
        strides: p.perm.map((a) => v.strides[a] ?? 0),
        offset: v.offset,
      }),
    },
  }),
  /** Broadcasts size-1 dims to `shape` (same rank). */
  expand: defineOp<{ shape: readonly number[] }>({
    arity: 1,
    shape: ([s], p) => {
      const src = s ?? [];
      if (src.length !== p.shape.length || src.some((d, i) => d !== p.shape[i] && d !== 1)) {
        throw new ShapeError("expand", `cannot broadcast ${fmtShape(src)} to ${fmtShape(p.shape)}`);
      }
      return [...p.shape];
    },
    dtype: ([d]) => d ?? "float32",
    vjp: (c) => [new Ops(c.b).sumTo(c.g, c.b.shape(c.x[0] as typeof c.g))],
    lower: {
      kind: "expr",
      expr: (c) =>
        c.load(
          0,
          (c.inShapes[0] ?? []).map((d, i) => (d === 1 ? i32(0) : (c.idx[i] ?? i32(0)))),
        ),
      view: (v, p) => ({
        shape: [...p.shape],
        strides: v.shape.map((d, i) => (d === 1 ? 0 : (v.strides[i] ?? 0))),
        offset: v.offset,
      }),
    },
  }),
  /** Pads each axis with `widths[i] = [before, after]` elements of `value`. */
  pad: defineOp<{ widths: readonly (readonly [number, number])[]; value: number }>({
    arity: 1,
    shape: ([s], p) => {
      const src = s ?? [];
      if (
        p.widths.length !== src.length ||
        p.widths.some(([a, b]) => !Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0)
      ) {
        throw new ValueError(
          "pad",
          `widths ${JSON.stringify(p.widths)} must give [before, after] >= 0 for each of the ${src.length} axes`,
        );
      }
      return src.map((d, i) => d + (p.widths[i]?.[0] ?? 0) + (p.widths[i]?.[1] ?? 0));
    },
    dtype: ([d]) => d ?? "float32",
    vjp: (c) => {
      const s = c.b.shape(c.x[0] as typeof c.g);
      return [c.b.call("slice", [c.g], { starts: c.p.widths.map((w) => w[0]), steps: s.map(() => 1), shape: [...s] })];
    },
    lower: {
      kind: "expr",
      expr: (c, p) => {
        const inShape = c.inShapes[0] ?? [];
        let valid: Expr | undefined;
        const inIdx = c.idx.map((e, i) => {
          const lo = p.widths[i]?.[0] ?? 0;
          const hi = p.widths[i]?.[1] ?? 0;
          if (lo === 0 && hi === 0) return e;
          const j = add(e, i32(-lo));
          const inRange = inBounds(j, inShape[i] ?? 0);
          valid = valid ? alu("and", [valid, inRange], "bool") : inRange;
          return j;
        });
        if (!valid) return c.load(0, inIdx);
        const v = c.load(0, inIdx, valid);
        return p.value === 0 ? v : alu("where", [valid, v, cnst(p.value, c.outDtype)], c.outDtype);
      },
    },
  }),
  /** Elements starts[i] + k·steps[i] for k < shape[i] along each axis (steps > 0). */
  slice: defineOp<{ starts: readonly number[]; steps: readonly number[]; shape: readonly number[] }>({
    arity: 1,
    shape: ([s], p) => {
      const src = s ?? [];
      const bad = src.findIndex((d, i) => {
        const st = p.starts[i] ?? -1;
        const step = p.steps[i] ?? 0;
        const n = p.shape[i] ?? -1;
        return st < 0 || step < 1 || n < 0 || (n > 0 && st + (n - 1) * step >= d);
      });
      if (
        p.starts.length !== src.length ||
        p.steps.length !== src.length ||
        p.shape.length !== src.length ||
        bad >= 0
      ) {
        throw new ValueError(
          "slice",
          `window starts=${JSON.stringify(p.starts)} steps=${JSON.stringify(p.steps)} shape=${fmtShape(p.shape)} does not fit in ${fmtShape(src)}`,
        );
      }
      return [...p.shape];
    },
    dtype: ([d]) => d ?? "float32",
    vjp: (c) => {
      const s = c.b.shape(c.x[0] as typeof c.g);
      if (c.p.steps.every((st) => st === 1)) {
        const widths = s.map(
          (d, i) => [c.p.starts[i] ?? 0, d - (c.p.starts[i] ?? 0) - (c.p.shape[i] ?? 0)] as [number, number],
        );
        return [c.b.call("pad", [c.g], { widths, value: 0 })];
      }
      // strided: scatter each output element back by padding after every element, then cropping
      const spread = c.p.shape.map((n, i) => n * (c.p.steps[i] ?? 1));
      const k = new Ops(c.b);
      const inter = c.p.shape.flatMap((n, i) => [n, c.p.steps[i] ?? 1]);
      let g = k.reshape(
        c.g,
        c.p.shape.flatMap((n) => [n, 1]),
      );
      g = c.b.call("pad", [g], { widths: inter.map((d, j) => (j % 2 ? [0, d - 1] : [0, 0])), value: 0 });
      g = k.reshape(g, spread);
      const widths = s.map((d, i) => {
        const before = c.p.starts[i] ?? 0;
        return [before, Math.max(0, d - before - (spread[i] ?? 0))] as [number, number];
      });
      g = c.b.call("pad", [g], { widths, value: 0 });
      const padded = k.shape(g);
      return padded.every((d, i) => d === s[i])
        ? [g]
        : [c.b.call("slice", [g], { starts: s.map(() => 0), steps: s.map(() => 1), shape: [...s] })];
    },
    lower: {
      kind: "expr",
      expr: (c, p) =>
        c.load(
          0,
          c.idx.map((e, i) => add(mul(e, i32(p.steps[i] ?? 1)), i32(p.starts[i] ?? 0))),
        ),
      view: (v, p) => ({
        shape: [...p.shape],
        strides: v.strides.map((s, i) => s * (p.steps[i] ?? 1)),
        offset: v.offset + v.strides.reduce((acc, s, i) => acc + s * (p.starts[i] ?? 0), 0),
      }),
    },
  }),
  /** Reverses the listed axes. */
  flip: defineOp<{ axes: readonly number[] }>({
    arity: 1,
    shape: ([s], p) => {
      const src = s ?? [];
      if (p.axes.some((a) => a < 0 || a >= src.length))
        throw new ValueError("flip", `axes ${JSON.stringify(p.axes)} out of range for ${fmtShape(src)}`);
      return [...src];
    },
    dtype: ([d]) => d ?? "float32",
    vjp: (c) => [c.b.call("flip", [c.g], { axes: c.p.axes })],
    lower: {
      kind: "expr",
      expr: (c, p) =>
        c.load(
          0,
          c.idx.map((e, i) => (p.axes.includes(i) ? alu("sub", [i32((c.outShape[i] ?? 1) - 1), e], "int32") : e)),
        ),
      view: (v, p) => ({
        shape: [...v.shape],
        strides: v.strides.map((s, i) => (p.axes.includes(i) ? -s : s)),
        offset:
          v.offset + v.strides.reduce((acc, s, i) => acc + (p.axes.includes(i) ? s * ((v.shape[i] ?? 1) - 1) : 0), 0),
      }),
    },
  }),
  /**
   * NumPy `take` along `axis`: out[a…, j…, b…] = x[a…, idx[j…], b…]. Indices must lie in
   * [0, n); an index outside reads 0 (the tensor API wraps negative indices first).
   */
  gather: defineOp<{ axis: number }>({
    arity: 2,
    shape: ([s, is], p, [, idt]) => {
      const src = s ?? [];
      if (p.axis < 0 || p.axis >= src.length)
        throw new ValueError("gather", `axis ${p.axis} out of range for ${fmtShape(src)}`);
      if (idt !== "int32") throw new DTypeError("gather", `indices must be int32, got ${idt}`);
      return [...src.slice(0, p.axis), ...(is ?? []), ...src.slice(p.axis + 1)];
    },
    dtype: ([d]) => d ?? "float32",
    vjp: (c) => [
      scatterAdd(new Ops(c.b), new Ops(c.b).zerosLike(c.x[0] as typeof c.g), c.x[1] as typeof c.g, c.g, c.p.axis),
      null,
    ],
    lower: {
      kind: "expr",
      expr: (c, p) => {
        const n = c.inShapes[0]?.[p.axis] ?? 0;
        const ir = (c.inShapes[1] ?? []).length;
        const j = c.load(1, c.idx.slice(p.axis, p.axis + ir));
        const valid = inBounds(j, n);
        return c.load(0, [...c.idx.slice(0, p.axis), j, ...c.idx.slice(p.axis + ir)], valid);
      },
    },
  }),
};

/**
 * base + updates scattered along `axis` at `idx` (repeated indices add up), written with
 * primitives: a one-hot mask of idx against the axis positions, summed over the index dims.
 * Shapes: base A+[n]+B, idx I, upd A+I+B.
 */
export function scatterAdd<N>(k: Ops<N>, base: N, idx: N, upd: N, axis: number): N {
  const bs = k.shape(base);
  const is = k.shape(idx);
  const n = bs[axis] ?? 0;
  const A = bs.slice(0, axis);
  const B = bs.slice(axis + 1);
  const full = [...A, ...is, n, ...B];
  const ones = (m: number): number[] => new Array<number>(m).fill(1);
  const idxE = k.expand(k.reshape(idx, [...ones(A.length), ...is, 1, ...ones(B.length)]), full);
  const pos = k.iota(full, A.length + is.length);
  const updE = k.expand(k.reshape(upd, [...A, ...is, 1, ...B]), full);
  const hits = k.where(k.eq(idxE, pos), updE, k.zerosLike(updE));
  const summed = k.sum(
    hits,
    is.map((_, i) => A.length + i),
  );
  return k.add(base, k.reshape(summed, bs));
}
