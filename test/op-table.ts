// The op table: one row per primitive (typed over OpName, so a new primitive fails to compile
// until its row exists) and per public composite. Each row gives how to call the op, its input
// domain, dtypes, tolerance and an independent float64 reference written with plain loops.
import type { DType } from "../src/index.js";
import * as nb from "../src/index.js";
import type { OpName } from "../src/ops/registry.js";

export interface Arr {
  data: Float64Array;
  shape: number[];
}

export interface OpCase {
  /** Input value ranges (one per input); integers are drawn for int32 inputs. */
  domain: [number, number][];
  dtypes: DType[];
  /** The input shapes for a random base shape (default: every input gets `base`). */
  shapes?: (base: number[]) => number[][];
  build: (...xs: nb.Tensor[]) => nb.Tensor;
  ref: (...xs: Arr[]) => Arr;
  /** Differentiable: checked by finite differences (and second order when `hessian`). */
  grad?: boolean;
  hessian?: boolean;
  /** Integer or bool inputs regardless of the case dtype (e.g. gather's indices). */
  inputDTypes?: (DType | undefined)[];
  /** Keep away from non-differentiable points: |x - k| > margin for these k. */
  kinks?: number[];
  tol?: { float32?: number; float64?: number };
}

export const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
export function unravel(i: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d] as number;
    out[d] = i % n;
    i = Math.floor(i / n);
  }
  return out;
}
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  return idx.reduce((acc, v, d) => acc * (shape[d] as number) + v, 0);
}
const arr = (shape: number[], f: (idx: number[], i: number) => number): Arr => {
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = f(unravel(i, shape), i);
  return { data, shape };
};
/** NumPy broadcasting of the reference inputs. */
function bshape(...s: number[][]): number[] {
  const n = Math.max(...s.map((x) => x.length));
  return Array.from({ length: n }, (_, i) => Math.max(...s.map((x) => x[x.length - n + i] ?? 1)));
}
const at = (x: Arr, idx: number[]): number => {
  const off = idx.length - x.shape.length;
  return x.data[
    ravel(
      x.shape.map((d, k) => (d === 1 ? 0 : (idx[k + off] as number))),
      x.shape,
    )
  ] as number;
};
const map =
  (f: (...v: number[]) => number) =>
  (...xs: Arr[]): Arr => {
    const shape = bshape(...xs.map((x) => x.shape));
    return arr(shape, (idx) => f(...xs.map((x) => at(x, idx))));
  };

const FLOATS: DType[] = ["float32", "float64"];
const NUMERIC: DType[] = ["float32", "float64", "int32"];
const same = (n: number) => (b: number[]) => Array.from({ length: n }, () => b);
/** A second operand that broadcasts: trailing dims, with some set to 1. */
const bcast = (b: number[]): number[][] => [b, b.slice(1).map((d, i) => (i % 2 ? 1 : d))];

/** erf by Simpson's rule on 2/√π·e^(−t²) (independent of the library's series). */
export function erfRef(x: number): number {
  const n = 2000;
  const h = x / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const w = i === 0 || i === n ? 1 : i % 2 ? 4 : 2;
    s += w * Math.exp(-((i * h) ** 2));
  }
  return ((s * h) / 3) * (2 / Math.sqrt(Math.PI));
}
const roundHalfEven = (x: number): number => {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
};
const pyMod = (a: number, b: number): number => a - Math.floor(a / b) * b;
const unary = (f: (x: number) => number, lo: number, hi: number, extra: Partial<OpCase> = {}): OpCase => ({
  domain: [[lo, hi]],
  dtypes: FLOATS,
  build: (x) => x,
  ref: map(f),
  grad: true,
  ...extra,
});

/** Reduction reference over `axes` with keepdims. */
function reduceRef(x: Arr, axes: number[], keep: boolean, f: (vals: number[]) => number): Arr {
  const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const groups = new Map<number, number[]>();
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape);
    const o = ravel(
      idx.map((v, d) => (axes.includes(d) ? 0 : v)),
      shape,
    );
    groups.set(o, [...(groups.get(o) ?? []), x.data[i] as number]);
  }
  const out = arr(shape, (_, i) => f(groups.get(i) ?? []));
  return keep ? out : { data: out.data, shape: x.shape.filter((_, i) => !axes.includes(i)) };
}
const lastAxis = (x: Arr): number[] => (x.shape.length ? [x.shape.length - 1] : []);

/** Every primitive, reached through the public API. */
export const PRIMITIVES: { [K in OpName]: OpCase } = {
  const: { domain: [[-3, 3]], dtypes: [...NUMERIC, "bool"], build: (x) => x, ref: (x) => x },
  full: {
    domain: [[0, 1]],
    dtypes: NUMERIC,
    build: (x) => nb.full(x.shape, 2.5, { dtype: x.dtype }),
    ref: (x) => arr(x.shape, () => 2.5),
    inputDTypes: ["float64"],
  },
  iota: {
    domain: [[0, 1]],
    dtypes: ["int32"],
    build: (x) => nb.arange(x.size).reshape(x.shape),
    ref: (x) => arr(x.shape, (_, i) => i),
  },
  random: {
    domain: [[0, 1]],
    dtypes: FLOATS,
    build: (x) =>
      nb
        .rand(x.shape, { key: nb.random.key(3), dtype: x.dtype })
        .mul(0)
        .add(x),
    ref: (x) => x,
    grad: true,
  },
  neg: unary((x) => -x, -5, 5, { dtypes: NUMERIC, build: (x) => x.neg() }),
  recip: unary((x) => 1 / x, 0.5, 4, { build: (x) => x.reciprocal(), hessian: true }),
  exp: unary(Math.exp, -4, 4, { build: (x) => x.exp(), hessian: true }),
  log: unary(Math.log, 0.1, 10, { build: (x) => x.log(), hessian: true }),
  expm1: unary(Math.expm1, -3, 3, { build: (x) => x.expm1(), hessian: true }),
  log1p: unary(Math.log1p, -0.9, 5, { build: (x) => x.log1p(), hessian: true }),
  sin: unary(Math.sin, -6, 6, { build: (x) => x.sin(), hessian: true }),
  cos: unary(Math.cos, -6, 6, { build: (x) => x.cos(), hessian: true }),
  sqrt: unary(Math.sqrt, 0.1, 9, { build: (x) => x.sqrt(), hessian: true }),
  tanh: unary(Math.tanh, -4, 4, { build: (x) => x.tanh(), hessian: true }),
  erf: unary(erfRef, -3, 3, { build: (x) => x.erf(), hessian: true, tol: { float32: 2e-6, float64: 1e-9 } }),
  floor: unary(Math.floor, -5, 5, { build: (x) => x.floor(), kinks: [-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5] }),
  round: unary(roundHalfEven, -5, 5, {
    build: (x) => x.round(),
    kinks: [-4.5, -3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5],
  }),
  abs: unary(Math.abs, -5, 5, { build: (x) => x.abs(), dtypes: NUMERIC, kinks: [0] }),
  sign: unary((x) => Math.sign(x), -5, 5, { build: (x) => x.sign(), dtypes: NUMERIC, kinks: [0] }),
  not: { domain: [[0, 1]], dtypes: ["bool"], build: (x) => x.logicalNot(), ref: map((x) => (x ? 0 : 1)) },
  add: {
    domain: [
      [-5, 5],
      [-5, 5],
    ],
    dtypes: NUMERIC,
    shapes: bcast,
    build: (a, b) => a.add(b as nb.Tensor),
    ref: map((a, b) => a + b),
    grad: true,
  },
  sub: {
    domain: [
      [-5, 5],
      [-5, 5],
    ],
    dtypes: NUMERIC,
    shapes: bcast,
    build: (a, b) => a.sub(b as nb.Tensor),
    ref: map((a, b) => a - b),
    grad: true,
  },
  mul: {
    domain: [
      [-5, 5],
      [-5, 5],
    ],
    dtypes: NUMERIC,
    shapes: bcast,
    build: (a, b) => a.mul(b as nb.Tensor),
    ref: map((a, b) => a * b),
    grad: true,
    hessian: true,
  },
  div: {
    domain: [
      [-5, 5],
      [0.5, 4],
    ],
    dtypes: FLOATS,
    shapes: bcast,
    build: (a, b) => a.div(b as nb.Tensor),
    ref: map((a, b) => a / b),
    grad: true,
    hessian: true,
  },
  pow: {
    domain: [
      [0.2, 3],
      [-2, 2],
    ],
    dtypes: FLOATS,
    shapes: bcast,
    build: (a, b) => a.pow(b as nb.Tensor),
    ref: map((a, b) => a ** b),
    grad: true,
    hessian: true,
  },
  maximum: {
    domain: [
      [-5, 5],
      [-5, 5],
    ],
    dtypes: NUMERIC,
    shapes: same(2),
    build: (a, b) => a.maximum(b as nb.Tensor),
    ref: map(Math.max),
    grad: true,
  },
  minimum: {
    domain: [
      [-5, 5],
      [-5, 5],
    ],
    dtypes: NUMERIC,
    shapes: same(2),
    build: (a, b) => a.minimum(b as nb.Tensor),
    ref: map(Math.min),
    grad: true,
  },
  mod: {
    domain: [
      [-9, 9],
      [1, 4],
    ],
    dtypes: NUMERIC,
    shapes: bcast,
    build: (a, b) => a.mod(b as nb.Tensor),
    ref: map(pyMod),
  },
  cmplt: {
    domain: [
      [-3, 3],
      [-3, 3],
    ],
    dtypes: NUMERIC,
    shapes: bcast,
    build: (a, b) => a.lt(b as nb.Tensor),
    ref: map((a, b) => (a < b ? 1 : 0)),
  },
  cmpeq: {
    domain: [
      [-2, 2],
      [-2, 2],
    ],
    dtypes: ["int32"],
    shapes: bcast,
    build: (a, b) => a.eq(b as nb.Tensor),
    ref: map((a, b) => (a === b ? 1 : 0)),
  },
  and: {
    domain: [
      [0, 1],
      [0, 1],
    ],
    dtypes: ["bool"],
    shapes: bcast,
    build: (a, b) => a.logicalAnd(b as nb.Tensor),
    ref: map((a, b) => (a && b ? 1 : 0)),
  },
  or: {
    domain: [
      [0, 1],
      [0, 1],
    ],
    dtypes: ["bool"],
    shapes: bcast,
    build: (a, b) => a.logicalOr(b as nb.Tensor),
    ref: map((a, b) => (a || b ? 1 : 0)),
  },
  where: {
    domain: [
      [0, 1],
      [-5, 5],
      [-5, 5],
    ],
    dtypes: NUMERIC,
    shapes: same(3),
    inputDTypes: ["bool"],
    build: (c, a, b) => nb.where(c, a as nb.Tensor, b as nb.Tensor),
    ref: map((c, a, b) => (c ? a : b)),
    grad: true,
  },
  cast: {
    domain: [[-5, 5]],
    dtypes: ["float32"],
    inputDTypes: ["float64"],
    build: (x) => x.astype("int32"),
    ref: map((x) => Math.trunc(x)),
  },
  // d/dy Σ y²·x at y = 1 is 2x: grad marks y with an `input` node
  input: unary((x) => 2 * x, -3, 3, { build: (x) => nb.grad((y: nb.Tensor) => y.mul(y).mul(x).sum())(nb.onesLike(x)) }),
  stopGradient: unary((x) => 2 * x, -3, 3, { build: (x) => x.stopGradient().add(x) }),
  matmul: {
    domain: [
      [-2, 2],
      [-2, 2],
    ],
    dtypes: NUMERIC,
    shapes: (b) => [
      [...b.slice(0, -1), 3],
      [3, b[b.length - 1] ?? 2],
    ],
    build: (a, b) => a.matmul(b as nb.Tensor),
    ref: (a, b) => {
      const m = a.shape.slice(0, -1);
      const n = b.shape[1] as number;
      return arr([...m, n], (idx) => {
        let s = 0;
        for (let k = 0; k < 3; k++)
          s += at(a, [...idx.slice(0, -1), k]) * (b.data[k * n + (idx[idx.length - 1] as number)] as number);
        return s;
      });
    },
    grad: true,
  },
  reshape: {
    domain: [[-3, 3]],
    dtypes: NUMERIC,
    build: (x) => x.reshape([-1]),
    ref: (x) => ({ data: x.data, shape: [x.data.length] }),
    grad: true,
  },
  permute: {
    domain: [[-3, 3]],
    dtypes: NUMERIC,
    build: (x) => x.transpose(),
    ref: (x) => arr([...x.shape].reverse(), (idx) => at(x, [...idx].reverse())),
    grad: true,
  },
  expand: {
    domain: [[-3, 3]],
    dtypes: NUMERIC,
    build: (x) => x.expand([2, ...x.shape]),
    ref: (x) => arr([2, ...x.shape], (idx) => at(x, idx.slice(1))),
    grad: true,
  },
  pad: {
    domain: [[-3, 3]],
    dtypes: FLOATS,
    build: (x) =>
      x.exp().pad(
        x.shape.map(() => [1, 2] as [number, number]),
        0.5,
      ),
    ref: (x) =>
      arr(
        x.shape.map((d) => d + 3),
        (idx) =>
          idx.every((v, k) => v >= 1 && v < (x.shape[k] as number) + 1)
            ? Math.exp(
                at(
                  x,
                  idx.map((v) => v - 1),
                ),
              )
            : 0.5,
      ),
    grad: true,
  },
  slice: {
    domain: [[-3, 3]],
    dtypes: NUMERIC,
    build: (x) => (x.ndim ? x.at("::-2") : x),
    ref: (x) =>
      x.shape.length
        ? arr([Math.ceil((x.shape[0] as number) / 2), ...x.shape.slice(1)], (idx) =>
            at(x, [(x.shape[0] as number) - 1 - 2 * (idx[0] as number), ...idx.slice(1)]),
          )
        : x,
    grad: true,
  },
  flip: {
    domain: [[-3, 3]],
    dtypes: NUMERIC,
    build: (x) => x.flip(),
    ref: (x) =>
      arr(x.shape, (idx) =>
        at(
          x,
          idx.map((v, k) => (x.shape[k] as number) - 1 - v),
        ),
      ),
    grad: true,
  },
  gather: {
    domain: [[-3, 3]],
    dtypes: NUMERIC,
    build: (x) => (x.ndim ? x.take(nb.tensor([0, -1, 0], { dtype: "int32" }), 0) : x),
    ref: (x) =>
      x.shape.length
        ? arr([3, ...x.shape.slice(1)], (idx) =>
            at(x, [[0, (x.shape[0] as number) - 1, 0][idx[0] as number] as number, ...idx.slice(1)]),
          )
        : x,
    grad: true,
  },
  sum: {
    domain: [[-3, 3]],
    dtypes: NUMERIC,
    build: (x) => x.sum(-1, true),
    ref: (x) => reduceRef(x, lastAxis(x), true, (v) => v.reduce((a, b) => a + b, 0)),
    grad: true,
  },
  max: {
    domain: [[-3, 3]],
    dtypes: NUMERIC,
    build: (x) => x.max(-1, true),
    ref: (x) => reduceRef(x, lastAxis(x), true, (v) => Math.max(...v)),
    grad: true,
  },
  prod: {
    domain: [[-2, 2]],
    dtypes: FLOATS,
    build: (x) => x.prod(-1, true),
    ref: (x) => reduceRef(x, lastAxis(x), true, (v) => v.reduce((a, b) => a * b, 1)),
    grad: true,
  },
  argmax: {
    domain: [[-3, 3]],
    dtypes: NUMERIC,
    build: (x) => x.argmax(-1, true),
    ref: (x) => reduceRef(x, lastAxis(x), true, (v) => v.indexOf(Math.max(...v))),
  },
};

const softmaxRef = (x: Arr): Arr => {
  const n = x.shape[x.shape.length - 1] as number;
  return arr(x.shape, (idx) => {
    const row = Array.from({ length: n }, (_, j) => at(x, [...idx.slice(0, -1), j]));
    const m = Math.max(...row);
    return Math.exp(at(x, idx) - m) / row.reduce((a, v) => a + Math.exp(v - m), 0);
  });
};
const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const sumLast =
  (f: (v: number[]) => number) =>
  (x: Arr): Arr =>
    reduceRef(x, lastAxis(x), false, f);
const meanOf = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const varOf = (v: number[], ddof: number): number =>
  v.reduce((a, b) => a + (b - meanOf(v)) ** 2, 0) / (v.length - ddof);

export type CompositeName =
  | "sigmoid"
  | "relu"
  | "leakyRelu"
  | "elu"
  | "gelu"
  | "geluTanh"
  | "silu"
  | "softplus"
  | "tan"
  | "rsqrt"
  | "square"
  | "ceil"
  | "clamp"
  | "ne"
  | "le"
  | "gt"
  | "ge"
  | "mean"
  | "min"
  | "argmin"
  | "variance"
  | "std"
  | "logsumexp"
  | "all"
  | "any"
  | "cumsum"
  | "softmax"
  | "logSoftmax"
  | "sumAxes"
  | "powScalar";

/** Public composites (written with primitives): the same checks as the primitives. */
export const COMPOSITES: { [K in CompositeName]: OpCase } = {
  sigmoid: unary(sig, -8, 8, { build: (x) => x.sigmoid(), hessian: true }),
  relu: unary((x) => Math.max(x, 0), -3, 3, { build: (x) => x.relu(), kinks: [0] }),
  leakyRelu: unary((x) => (x > 0 ? x : 0.1 * x), -3, 3, { build: (x) => x.leakyRelu(0.1), kinks: [0] }),
  elu: unary((x) => (x > 0 ? x : Math.expm1(x)), -3, 3, { build: (x) => x.elu(), kinks: [0] }),
  gelu: unary((x) => 0.5 * x * (1 + erfRef(x / Math.SQRT2)), -3, 3, {
    build: (x) => x.gelu(),
    hessian: true,
    tol: { float32: 2e-6, float64: 1e-9 },
  }),
  geluTanh: unary((x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))), -3, 3, {
    build: (x) => x.gelu("tanh"),
    hessian: true,
  }),
  silu: unary((x) => x * sig(x), -5, 5, { build: (x) => x.silu(), hessian: true }),
  softplus: unary((x) => Math.log1p(Math.exp(x)), -6, 6, { build: (x) => x.softplus(), hessian: true }),
  tan: unary(Math.tan, -1.2, 1.2, { build: (x) => x.tan(), hessian: true }),
  rsqrt: unary((x) => 1 / Math.sqrt(x), 0.2, 5, { build: (x) => x.rsqrt(), hessian: true }),
  square: unary((x) => x * x, -4, 4, { build: (x) => x.square(), hessian: true }),
  ceil: unary(Math.ceil, -4, 4, { build: (x) => x.ceil(), kinks: [-4, -3, -2, -1, 0, 1, 2, 3, 4] }),
  clamp: unary((x) => Math.min(Math.max(x, -1), 1.5), -3, 3, { build: (x) => x.clamp(-1, 1.5), kinks: [-1, 1.5] }),
  ne: {
    domain: [
      [-2, 2],
      [-2, 2],
    ],
    dtypes: ["int32"],
    shapes: bcast,
    build: (a, b) => a.ne(b as nb.Tensor),
    ref: map((a, b) => (a !== b ? 1 : 0)),
  },
  le: {
    domain: [
      [-2, 2],
      [-2, 2],
    ],
    dtypes: NUMERIC,
    shapes: bcast,
    build: (a, b) => a.le(b as nb.Tensor),
    ref: map((a, b) => (a <= b ? 1 : 0)),
  },
  gt: {
    domain: [
      [-2, 2],
      [-2, 2],
    ],
    dtypes: NUMERIC,
    shapes: bcast,
    build: (a, b) => a.gt(b as nb.Tensor),
    ref: map((a, b) => (a > b ? 1 : 0)),
  },
  ge: {
    domain: [
      [-2, 2],
      [-2, 2],
    ],
    dtypes: NUMERIC,
    shapes: bcast,
    build: (a, b) => a.ge(b as nb.Tensor),
    ref: map((a, b) => (a >= b ? 1 : 0)),
  },
  mean: { domain: [[-3, 3]], dtypes: FLOATS, build: (x) => x.mean(-1), ref: sumLast(meanOf), grad: true },
  min: { domain: [[-3, 3]], dtypes: NUMERIC, build: (x) => x.min(-1), ref: sumLast((v) => Math.min(...v)), grad: true },
  argmin: {
    domain: [[-3, 3]],
    dtypes: NUMERIC,
    build: (x) => x.argmin(-1),
    ref: sumLast((v) => v.indexOf(Math.min(...v))),
  },
  variance: {
    domain: [[-3, 3]],
    dtypes: FLOATS,
    build: (x) => x.variance(-1),
    ref: sumLast((v) => varOf(v, 0)),
    grad: true,
    hessian: true,
  },
  std: {
    domain: [[-3, 3]],
    dtypes: FLOATS,
    shapes: (b) => [[...b.slice(0, -1), Math.max(2, b[b.length - 1] ?? 2)]],
    build: (x) => x.std(-1, { correction: 1 }),
    ref: sumLast((v) => Math.sqrt(varOf(v, 1))),
    grad: true,
  },
  logsumexp: {
    domain: [[-5, 5]],
    dtypes: FLOATS,
    build: (x) => x.logsumexp(-1),
    ref: sumLast((v) => Math.log(v.reduce((a, b) => a + Math.exp(b), 0))),
    grad: true,
    hessian: true,
  },
  all: {
    domain: [[0, 1]],
    dtypes: ["bool"],
    build: (x) => x.all(-1),
    ref: sumLast((v) => (v.every((b) => b) ? 1 : 0)),
  },
  any: { domain: [[0, 1]], dtypes: ["bool"], build: (x) => x.any(-1), ref: sumLast((v) => (v.some((b) => b) ? 1 : 0)) },
  cumsum: {
    domain: [[-3, 3]],
    dtypes: NUMERIC,
    build: (x) => x.cumsum(0),
    ref: (x) =>
      arr(x.shape, (idx) => {
        let s = 0;
        for (let j = 0; j <= (idx[0] as number); j++) s += at(x, [j, ...idx.slice(1)]);
        return s;
      }),
    grad: true,
  },
  softmax: {
    domain: [[-4, 4]],
    dtypes: FLOATS,
    build: (x) => x.softmax(-1),
    ref: softmaxRef,
    grad: true,
    hessian: true,
  },
  logSoftmax: {
    domain: [[-4, 4]],
    dtypes: FLOATS,
    build: (x) => x.logSoftmax(-1),
    ref: (x) => {
      const s = softmaxRef(x);
      return { data: s.data.map(Math.log), shape: s.shape };
    },
    grad: true,
    hessian: true,
  },
  sumAxes: {
    domain: [[-3, 3]],
    dtypes: NUMERIC,
    build: (x) => x.sum(x.ndim > 1 ? [0, -1] : 0),
    ref: (x) =>
      reduceRef(x, x.shape.length > 1 ? [0, x.shape.length - 1] : [0], false, (v) => v.reduce((a, b) => a + b, 0)),
    grad: true,
  },
  powScalar: unary((x) => x ** 3, -2, 2, { build: (x) => x.pow(3), hessian: true }),
};
