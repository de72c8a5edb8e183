// Reduction primitives. They keep reduced axes as size-1 dims; the tensor API drops them unless keepdims.
import { isFloat, type DType } from "../core/dtype.js";
import { DTypeError, ValueError } from "../core/errors.js";
import type { Shape } from "../core/shape.js";
import { defineOp, type ReduceOp, type VjpCtx } from "./def.js";
import { Ops } from "./helpers.js";

export interface AxesParams {
  readonly axes: readonly number[];
}

function reducedShape(op: string, [s]: readonly Shape[], p: AxesParams): number[] {
  const shape = s ?? [];
  for (const a of p.axes) {
    if (!Number.isInteger(a) || a < 0 || a >= shape.length) {
      throw new ValueError(op, `axis ${a} is out of range for a tensor of rank ${shape.length}`);
    }
  }
  return shape.map((d, i) => (p.axes.includes(i) ? 1 : d));
}

function numeric(op: string, [d]: readonly DType[]): DType {
  if (!d || d === "bool") throw new DTypeError(op, `expected a numeric dtype, got ${d}`);
  return d;
}

function reduceOp(op: ReduceOp, vjp: (<N>(c: VjpCtx<N, AxesParams>) => (N | null)[]) | null, out?: DType) {
  return defineOp<AxesParams>({
    arity: 1,
    shape: (s, p) => reducedShape(op, s, p),
    dtype: (d) => (numeric(op, d), out ?? (d[0] as DType)),
    vjp,
    lower: { kind: "reduce", op },
  });
}

export const reduceOps = {
  // d Σx / dxᵢ = 1: the cotangent is broadcast back
  sum: reduceOp("sum", (c) => [new Ops(c.b).expand(c.g, c.b.shape(c.x[0] as typeof c.g))]),
  // the maximum's cotangent is shared evenly between tied maxima
  max: reduceOp("max", (c) => {
    const k = new Ops(c.b);
    const x = c.x[0] as typeof c.g;
    if (!isFloat(k.dtype(x))) return [null];
    const s = k.shape(x);
    const m = k.mask(k.eq(x, k.expand(c.out, s)), x);
    const share = k.div(c.g, k.sum(m, c.p.axes));
    return [k.mul(k.expand(share, s), m)];
  }),
  // d Πx / dxᵢ = Π_{j≠i} xⱼ, computed without dividing by zero: with one zero only that entry has a
  // nonzero gradient (the product of the others); with two or more, all are zero.
  prod: reduceOp("prod", (c) => {
    const k = new Ops(c.b);
    const x = c.x[0] as typeof c.g;
    if (!isFloat(k.dtype(x))) return [null];
    const s = k.shape(x);
    const isZero = k.eq(x, k.zerosLike(x));
    const one = k.fullLike(1, x);
    const zero = k.zerosLike(x);
    const safe = k.where(isZero, one, x);
    const zeros = k.expand(k.sum(k.mask(isZero, x), c.p.axes), s);
    const others = k.expand(c.b.call("prod", [safe], { axes: c.p.axes }), s);
    const atZero = k.where(k.eq(zeros, one), others, zero);
    const elsewhere = k.where(k.eq(zeros, zero), k.div(k.expand(c.out, s), safe), zero);
    return [k.mul(k.expand(c.g, s), k.where(isZero, atZero, elsewhere))];
  }),
  /** Index of the first maximum along one axis (int32). NaN counts as the maximum. */
  argmax: reduceOp("argmax", null, "int32"),
};
