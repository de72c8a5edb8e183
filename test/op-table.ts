// THE op table: one row per primitive (typed over OpName, so a primitive without a row fails to
// compile) and one per public composite of src/tensor/math.ts and reduce.ts. Each row says how to
// build the op through the public API, its input domain, dtypes and tolerances, an independent
// float64 reference (naive loops over flat arrays; nothing here calls nabla to compute an expected
// value or imports from src/backends), whether it is differentiable, and a shape/params generator.
// test/ops.test.ts turns the rows into properties.
import fc from "fast-check";
import * as nb from "../src/index.js";
import type { OpName } from "../src/index.js";
import { rng } from "./util.js";

export type DType = nb.DType;

/** A reference value: row-major float64 data (bools as 0/1) and a shape. */
export interface Arr {
  data: number[];
  shape: number[];
}
export interface Tol {
  rtol: number;
  atol: number;
}
/** Where inputs are drawn: uniform in [lo, hi]; |v| >= minAbs; forward tests snap half the values to multiples of `snap` (ties, zeros, halves). */
export interface Domain {
  lo: number;
  hi: number;
  minAbs?: number;
  snap?: number;
}
export interface InputSpec {
  domain: Domain;
  /** The domain for int32 inputs (default: the float domain rounded inward). */
  intDomain?: Domain;
  /** A fixed dtype (a where condition, index tensors); otherwise the row's dtype under test. */
  dtype?: DType;
}
/** What build/ref/outDtype are told about one test instance. */
export interface Ctx {
  /** The row dtype under test. */
  dtype: DType;
  /** The dtype of each input. */
  dtypes: DType[];
  /** The inputs' values. */
  raw: Arr[];
}
export interface Sample<P> {
  shapes: number[][];
  params: P;
}

export interface Case<P> {
  /** The name shown in test output. */
  readonly id: string;
  readonly inputs: readonly InputSpec[];
  /** Dtypes the row supports (all inputs of the row dtype, except inputs with a fixed dtype). */
  readonly dtypes: readonly DType[];
  readonly tol?: Partial<Record<DType, Tol>>;
  readonly gen: fc.Arbitrary<Sample<P>>;
  /** The op through the public API. */
  build(xs: nb.Tensor[], p: P, ctx: Ctx): nb.Tensor;
  /** The expected value, in float64, from the exact input values. */
  ref(xs: Arr[], p: P, ctx: Ctx): Arr;
  /** The expected result dtype (NumPy-like promotion, written independently of src/core/dtype.ts). */
  outDtype(ctx: Ctx, p: P): DType;
  /** Finite-difference gradient check in float64 ("zero": the gradient must be exactly 0). */
  readonly grad: boolean | "zero";
  /** Second-order check (Hessian-vector products) on each float input. */
  readonly hessian?: boolean;
  /** Whether finite differences are valid at this point (away from kinks and jumps). */
  gradOk?(xs: Arr[], p: P): boolean;
  readonly gradEps?: number;
  readonly gradTol?: Tol;
  /** An elementwise binary op: checked with mixed dtypes and weak JS scalars too. */
  readonly mixed?: boolean;
}
export type AnyCase = Case<unknown>;
const mk = <P>(c: Case<P>): AnyCase => c as unknown as AnyCase;

/** A row of the primitive table: the case that exercises primitive K. */
export type OpCase<K extends OpName> = AnyCase & { readonly prim: K };

// ---------------------------------------------------------------------------------------------
// Reference helpers: flat row-major arrays, multi-indices, broadcasting, reductions, dtypes.

export const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d] as number;
    idx[d] = flat % n;
    flat = Math.floor(flat / n);
  }
  return idx;
}
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let f = 0;
  for (let d = 0; d < shape.length; d++) f = f * (shape[d] as number) + (idx[d] as number);
  return f;
}
/** NumPy's broadcast shape, or null when the shapes don't broadcast. */
export function broadcastShape(...shapes: (readonly number[])[]): number[] | null {
  const n = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let d = 1;
    for (const s of shapes) {
      const e = s[s.length - n + i] ?? 1;
      if (e === 1) continue;
      if (d !== 1 && d !== e) return null;
      d = e;
    }
    out.push(d);
  }
  return out;
}
/** a read at a multi-index of a broadcast shape (trailing dims aligned, size-1 dims repeated). */
export function bread(a: Arr, outIdx: readonly number[]): number {
  const off = outIdx.length - a.shape.length;
  let f = 0;
  for (let d = 0; d < a.shape.length; d++) {
    const n = a.shape[d] as number;
    f = f * n + (n === 1 ? 0 : (outIdx[off + d] as number));
  }
  return a.data[f] as number;
}
/** f applied elementwise over the broadcast inputs. */
export function elementwise(xs: readonly Arr[], f: (...v: number[]) => number): Arr {
  const shape = broadcastShape(...xs.map((x) => x.shape));
  if (!shape) throw new Error(`reference: shapes ${xs.map((x) => JSON.stringify(x.shape)).join(" ")} don't broadcast`);
  const data: number[] = [];
  for (let k = 0; k < sizeOf(shape); k++) {
    const idx = unravel(k, shape);
    data.push(f(...xs.map((x) => bread(x, idx))));
  }
  return { data, shape };
}
/** An axis argument (undefined = all, negatives from the end) as a sorted list. */
export function axesOf(axis: number | readonly number[] | undefined | null, ndim: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : [...axis];
  return list.map((a) => (a < 0 ? a + ndim : a)).sort((a, b) => a - b);
}
/** The input values of each reduction group (in row-major order of the input), and the kept-dims shape. */
export function groups(x: Arr, axes: readonly number[]): { keptShape: number[]; groups: number[][] } {
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const gs: number[][] = Array.from({ length: sizeOf(keptShape) }, () => []);
  for (let k = 0; k < x.data.length; k++) {
    const idx = unravel(k, x.shape).map((v, i) => (axes.includes(i) ? 0 : v));
    (gs[ravel(idx, keptShape)] as number[]).push(x.data[k] as number);
  }
  return { keptShape, groups: gs };
}
export function reduceRef(x: Arr, axes: readonly number[], keepdims: boolean, f: (vals: number[]) => number): Arr {
  const { keptShape, groups: gs } = groups(x, axes);
  return {
    data: gs.map(f),
    shape: keepdims ? keptShape : x.shape.filter((_, i) => !axes.includes(i)),
  };
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };
export const isFloatD = (d: DType): boolean => d === "float32" || d === "float64";
/** bool < int32 < float32 < float64. */
export const promoteD = (...ds: DType[]): DType => ds.reduce((a, b) => (RANK[a] >= RANK[b] ? a : b), "bool");
export const floatD = (d: DType): DType => (isFloatD(d) ? d : "float32");
/** The dtype a weak JS scalar takes next to a tensor of dtype d. */
export function weakD(d: DType, s: number | boolean): DType {
  if (typeof s === "boolean") return d;
  if (isFloatD(d)) return d;
  if (!Number.isInteger(s)) return "float32";
  return d === "bool" ? "int32" : d;
}
/** A JS number converted the way NumPy's astype does (truncation toward zero; nonzero and NaN are true). */
export function castRef(v: number, d: DType): number {
  switch (d) {
    case "bool":
      return v !== 0 ? 1 : 0;
    case "int32":
      return Math.trunc(v) | 0;
    case "float32":
      return Math.fround(v);
    case "float64":
      return v;
  }
}

/** erf by its everywhere-convergent series of positive terms, erf x = 2/√π e^(−x²) Σ 2ⁿx²ⁿ⁺¹/(2n+1)!! (a different series from the Maclaurin one nabla uses). */
export function erfRef(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) > 6) return Math.sign(x);
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 500; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
}

/** Threefry-2x32 with 20 rounds (Salmon et al., Random123), written from the paper. */
export function threefryRef(key: readonly [number, number], ctr: readonly [number, number]): [number, number] {
  const R = [
    [13, 15, 26, 6],
    [17, 29, 16, 24],
  ];
  const k = [key[0] >>> 0, key[1] >>> 0, (0x1bd11bda ^ key[0] ^ key[1]) >>> 0];
  let a = (ctr[0] + (k[0] as number)) >>> 0;
  let b = (ctr[1] + (k[1] as number)) >>> 0;
  for (let round = 0; round < 20; round++) {
    a = (a + b) >>> 0;
    const r = (R[Math.floor(round / 4) % 2] as number[])[round % 4] as number;
    b = (((b << r) | (b >>> (32 - r))) >>> 0) ^ a;
    if (round % 4 === 3) {
      const s = (round + 1) / 4;
      a = (a + (k[s % 3] as number)) >>> 0;
      b = (b + (k[(s + 1) % 3] as number) + s) >>> 0;
    }
  }
  return [a, b];
}

/** Python's slice.indices: the positions a[start:stop:step] picks from an axis of length n. */
export function sliceIndices(start: number | undefined, stop: number | undefined, step: number | undefined, n: number) {
  const st = step ?? 1;
  const fix = (v: number | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    if (v < 0) {
      v += n;
      if (v < 0) return st < 0 ? -1 : 0;
    } else if (v >= n) return st < 0 ? n - 1 : n;
    return v;
  };
  const a = fix(start, st < 0 ? n - 1 : 0);
  const b = fix(stop, st < 0 ? -1 : n);
  const out: number[] = [];
  for (let i = a; st > 0 ? i < b : i > b; i += st) out.push(i);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Generators.

const ri = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const chance = (r: () => number, p: number): boolean => r() < p;
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
function shuffle<T>(r: () => number, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = ri(r, 0, i);
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}

export interface ShapeOpts {
  minRank?: number;
  maxRank?: number;
  /** Allow size-0 dims. */
  empty?: boolean;
  maxDim?: number;
}
export function shapeArb(o: ShapeOpts = {}): fc.Arbitrary<number[]> {
  const dim = fc.integer({ min: 1, max: o.maxDim ?? 5 });
  const d = o.empty ? fc.oneof({ arbitrary: dim, weight: 9 }, { arbitrary: fc.constant(0), weight: 1 }) : dim;
  return fc.array(d, { minLength: o.minRank ?? 0, maxLength: o.maxRank ?? 3 });
}
const seedArb = fc.integer({ min: 1, max: 0x7fffffff });

/** Shapes plus params drawn from a seeded generator (params may depend on the shapes). */
function seeded<P>(shapes: fc.Arbitrary<number[][]>, params: (shapes: number[][], r: () => number) => P) {
  return fc.tuple(shapes, seedArb).map(([s, seed]): Sample<P> => ({ shapes: s, params: params(s, rng(seed)) }));
}
/** n shapes that broadcast together: a base shape, some with leading dims dropped or dims set to 1. */
export function bcastShapes(n: number, o: ShapeOpts = {}): fc.Arbitrary<number[][]> {
  return fc.tuple(shapeArb(o), seedArb).map(([base, seed]) => {
    const r = rng(seed);
    return Array.from({ length: n }, (_, i) => {
      if (i === 0 && chance(r, 0.4)) return base;
      const drop = chance(r, 0.4) ? ri(r, 0, base.length) : 0;
      return base.slice(drop).map((d) => (chance(r, 0.3) ? 1 : d));
    });
  });
}
const oneShape = (o: ShapeOpts = {}): fc.Arbitrary<number[][]> => shapeArb(o).map((s) => [s]);
const noParams = (shapes: fc.Arbitrary<number[][]>): fc.Arbitrary<Sample<undefined>> =>
  shapes.map((s) => ({ shapes: s, params: undefined }));

/** Input values for one input: in the domain, exactly representable in `dtype`. */
export function genData(
  shape: readonly number[],
  spec: InputSpec,
  dtype: DType,
  r: () => number,
  forGrad = false,
): Arr {
  const n = sizeOf(shape);
  const data: number[] = [];
  const dom =
    dtype === "int32"
      ? (spec.intDomain ?? { ...spec.domain, lo: Math.ceil(spec.domain.lo), hi: Math.floor(spec.domain.hi) })
      : spec.domain;
  const minAbs = dom.minAbs ?? 0;
  for (let i = 0; i < n; i++) {
    let v = 0;
    if (dtype === "bool") v = chance(r, 0.5) ? 1 : 0;
    else if (dtype === "int32") {
      for (let t = 0; t < 100; t++) {
        v = ri(r, dom.lo, dom.hi);
        if (Math.abs(v) >= minAbs) break;
      }
    } else {
      for (let t = 0; t < 100; t++) {
        v = dom.lo + (dom.hi - dom.lo) * r();
        if (Math.abs(v) >= minAbs) break;
      }
      if (dom.snap && !forGrad && chance(r, 0.5)) {
        const s = Math.round(v / dom.snap) * dom.snap;
        if (s >= dom.lo && s <= dom.hi && Math.abs(s) >= minAbs) v = s;
      }
      v = castRef(v, dtype);
    }
    data.push(v);
  }
  return { data, shape: [...shape] };
}

/** Nested JS arrays of a flat array (a scalar for 0-d). */
export function nest(a: Arr, asBool = false): nb.Nested<number | boolean> {
  const val = (v: number): number | boolean => (asBool ? v !== 0 : v);
  const rec = (off: number, dim: number): nb.Nested<number | boolean> => {
    if (dim === a.shape.length) return val(a.data[off] as number);
    const step = sizeOf(a.shape.slice(dim + 1));
    return Array.from({ length: a.shape[dim] as number }, (_, i) => rec(off + i * step, dim + 1));
  };
  return rec(0, 0);
}

// ---------------------------------------------------------------------------------------------
// Row factories.

const F = ["float32", "float64"] as const;
const FI: DType[] = ["float32", "float64", "int32"];
const ALL: DType[] = ["float32", "float64", "int32", "bool"];
const near = (v: number, points: readonly number[], d = 0.01): boolean => points.some((p) => Math.abs(v - p) < d);
const nearInt = (v: number, d = 0.01): boolean => Math.abs(v - Math.round(v)) < d;
const same = (_c: Ctx): DType => _c.dtypes[0] as DType;

interface UnaryOpts<P> {
  domain: Domain;
  intDomain?: Domain;
  dtypes?: readonly DType[];
  /** "float": int inputs compute in float32; "numeric": bool becomes int32; "same": dtype kept. */
  out?: "float" | "numeric" | "same" | "bool" | ((d: DType, p: P) => DType);
  tol?: Partial<Record<DType, Tol>>;
  grad?: boolean | "zero";
  hessian?: boolean;
  kink?: (v: number, p: P) => boolean;
  params?: (r: () => number) => P;
  gradTol?: Tol;
}
function unaryCase<P = undefined>(
  id: string,
  fn: (x: nb.Tensor, p: P) => nb.Tensor,
  f: (v: number, p: P, d: DType) => number,
  o: UnaryOpts<P>,
): AnyCase {
  const out = o.out ?? "float";
  return mk<P>({
    id,
    inputs: [{ domain: o.domain, ...(o.intDomain ? { intDomain: o.intDomain } : {}) }],
    dtypes: o.dtypes ?? FI,
    ...(o.tol ? { tol: o.tol } : {}),
    gen: seeded(oneShape({ empty: true }), (_s, r) => (o.params ? o.params(r) : (undefined as P))),
    build: ([x], p) => fn(x as nb.Tensor, p),
    ref: ([x], p, c) => elementwise([x as Arr], (v) => f(v, p, c.dtypes[0] as DType)),
    outDtype: (c, p) => {
      const d = c.dtypes[0] as DType;
      if (typeof out === "function") return out(d, p);
      return out === "float"
        ? floatD(d)
        : out === "numeric"
          ? d === "bool"
            ? "int32"
            : d
          : out === "bool"
            ? "bool"
            : d;
    },
    grad: o.grad ?? true,
    hessian: o.hessian ?? false,
    ...(o.kink
      ? { gradOk: ([x], p) => !(x as Arr).data.some((v) => (o.kink as (v: number, p: P) => boolean)(v, p)) }
      : {}),
    ...(o.gradTol ? { gradTol: o.gradTol } : {}),
  });
}

interface BinaryOpts {
  domains: [Domain, Domain];
  intDomains?: [Domain, Domain];
  dtypes?: readonly DType[];
  /** Result dtype from the promoted input dtype. */
  out?: (d: DType) => DType;
  tol?: Partial<Record<DType, Tol>>;
  grad?: boolean;
  hessian?: boolean;
  kink?: (x: number, y: number) => boolean;
}
function binaryCase(
  id: string,
  fn: (x: nb.Tensor, y: nb.Tensor) => nb.Tensor,
  f: (x: number, y: number, d: DType) => number,
  o: BinaryOpts,
): AnyCase {
  const spec = (i: 0 | 1): InputSpec => ({
    domain: o.domains[i],
    ...(o.intDomains ? { intDomain: o.intDomains[i] } : {}),
  });
  return mk<undefined>({
    id,
    inputs: [spec(0), spec(1)],
    dtypes: o.dtypes ?? FI,
    ...(o.tol ? { tol: o.tol } : {}),
    gen: noParams(bcastShapes(2, { empty: true })),
    build: ([x, y]) => fn(x as nb.Tensor, y as nb.Tensor),
    ref: ([x, y], _p, c) => elementwise([x as Arr, y as Arr], (a, b) => f(a, b, promoteD(...c.dtypes))),
    outDtype: (c) => (o.out ?? ((d: DType) => d))(promoteD(...c.dtypes)),
    grad: o.grad ?? true,
    hessian: o.hessian ?? false,
    ...(o.kink
      ? {
          gradOk: ([x, y]) =>
            !elementwise([x as Arr, y as Arr], (a, b) =>
              (o.kink as (x: number, y: number) => boolean)(a, b) ? 1 : 0,
            ).data.some((v) => v),
        }
      : {}),
    mixed: true,
  });
}

// ---- reductions ----

interface RedP {
  axis: number | number[] | undefined;
  keepdims: boolean;
  correction: number;
}
/** An axis argument for a tensor of rank `nd`: all (undefined), one (maybe negative), or a list (any order, maybe empty). */
function axisParam(nd: number, r: () => number, single: boolean): number | number[] | undefined {
  const mode = ri(r, 0, single ? 1 : 2);
  if (mode === 0 || (nd === 0 && mode === 1)) return undefined;
  const neg = (a: number): number => (chance(r, 0.4) ? a - nd : a);
  if (mode === 1) return neg(ri(r, 0, nd - 1));
  return shuffle(
    r,
    Array.from({ length: nd }, (_, i) => i).filter(() => chance(r, 0.5)),
  ).map(neg);
}
interface RedOpts {
  dtypes: readonly DType[];
  domain: Domain;
  intDomain?: Domain;
  out: (d: DType) => DType;
  empty: boolean;
  grad: boolean;
  hessian?: boolean;
  single?: boolean;
  correction?: boolean;
  tol?: Partial<Record<DType, Tol>>;
  gradOk?: (x: Arr, p: RedP) => boolean;
}
function reduceCase(
  id: string,
  fn: (x: nb.Tensor, p: RedP) => nb.Tensor,
  f: (vals: number[], p: RedP, d: DType) => number,
  o: RedOpts,
): AnyCase {
  return mk<RedP>({
    id,
    inputs: [{ domain: o.domain, ...(o.intDomain ? { intDomain: o.intDomain } : {}) }],
    dtypes: o.dtypes,
    ...(o.tol ? { tol: o.tol } : {}),
    gen: seeded(oneShape({ empty: o.empty }), ([s], r) => {
      const axis = axisParam((s as number[]).length, r, o.single ?? false);
      // NumPy's argmax with axis=None ignores nothing: keepdims gives all-1 dims (checked on its own in ops.test)
      const keepdims = o.single && axis === undefined ? false : chance(r, 0.5);
      return { axis, keepdims, correction: o.correction ? ri(r, 0, 1) : 0 };
    }),
    build: ([x], p) => fn(x as nb.Tensor, p),
    ref: ([x], p, c) => {
      const xa = x as Arr;
      if (o.single && p.axis === undefined) {
        // argmax over the flattened tensor
        return { data: [f(xa.data, p, c.dtypes[0] as DType)], shape: [] };
      }
      return reduceRef(xa, axesOf(p.axis, xa.shape.length), p.keepdims, (vals) => f(vals, p, c.dtypes[0] as DType));
    },
    outDtype: (c) => o.out(c.dtypes[0] as DType),
    grad: o.grad,
    hessian: o.hessian ?? false,
    ...(o.gradOk ? { gradOk: ([x], p) => (o.gradOk as (x: Arr, p: RedP) => boolean)(x as Arr, p) } : {}),
  });
}
const redFloatTol: Partial<Record<DType, Tol>> = {
  float32: { rtol: 1e-5, atol: 1e-4 },
  float64: { rtol: 1e-12, atol: 1e-12 },
};
/** No near-ties at the top of any reduction group (so the max's gradient is not split). */
const topGap = (x: Arr, p: RedP, sign: number): boolean =>
  groups(x, axesOf(p.axis, x.shape.length)).groups.every((g) => {
    const s = g.map((v) => v * sign).sort((a, b) => b - a);
    return s.length < 2 || (s[0] as number) - (s[1] as number) > 1e-3;
  });
const meanOf = (vs: number[]): number => vs.reduce((a, b) => a + b, 0) / vs.length;
function varOf(vs: number[], ddof: number): number {
  const m = meanOf(vs);
  const ss = vs.reduce((a, v) => a + (v - m) * (v - m), 0);
  return ss / Math.max(vs.length - ddof, 0); // NumPy: max(N - ddof, 0) in the denominator
}
const firstIndex = (vs: number[], better: (a: number, b: number) => boolean): number => {
  let best = 0;
  for (let i = 1; i < vs.length; i++) if (better(vs[i] as number, vs[best] as number)) best = i;
  return best;
};

// ---------------------------------------------------------------------------------------------
// Elementwise rows (shared by the primitive and composite tables).

const sigmoidRef = (v: number): number => 1 / (1 + Math.exp(-v));
const wide: Domain = { lo: -3, hi: 3, snap: 0.5 };

const C = {
  neg: unaryCase(
    "neg",
    (x) => nb.neg(x),
    (v) => -v,
    { domain: wide, out: "numeric" },
  ),
  abs: unaryCase("abs", (x) => nb.abs(x), Math.abs, { domain: wide, out: "numeric", kink: (v) => near(v, [0]) }),
  sign: unaryCase(
    "sign",
    (x) => nb.sign(x),
    (v) => (v > 0 ? 1 : v < 0 ? -1 : 0),
    {
      domain: wide,
      out: "numeric",
      grad: true,
      kink: (v) => near(v, [0]),
    },
  ),
  exp: unaryCase("exp", (x) => nb.exp(x), Math.exp, { domain: { lo: -5, hi: 5 }, hessian: true }),
  log: unaryCase("log", (x) => nb.log(x), Math.log, {
    domain: { lo: 0.1, hi: 10 },
    intDomain: { lo: 1, hi: 9 },
    hessian: true,
  }),
  log1p: unaryCase("log1p", (x) => nb.log1p(x), Math.log1p, {
    domain: { lo: -0.9, hi: 5 },
    intDomain: { lo: 0, hi: 5 },
    hessian: true,
  }),
  expm1: unaryCase("expm1", (x) => nb.expm1(x), Math.expm1, { domain: { lo: -3, hi: 3 }, hessian: true }),
  sqrt: unaryCase("sqrt", (x) => nb.sqrt(x), Math.sqrt, {
    domain: { lo: 0.05, hi: 9 },
    intDomain: { lo: 1, hi: 9 },
    hessian: true,
  }),
  rsqrt: unaryCase(
    "rsqrt",
    (x) => nb.rsqrt(x),
    (v) => 1 / Math.sqrt(v),
    {
      domain: { lo: 0.05, hi: 9 },
      intDomain: { lo: 1, hi: 9 },
      hessian: true,
    },
  ),
  square: unaryCase(
    "square",
    (x) => nb.square(x),
    (v) => v * v,
    { domain: wide, out: "same", hessian: true },
  ),
  sin: unaryCase("sin", (x) => nb.sin(x), Math.sin, { domain: { lo: -6, hi: 6 }, hessian: true }),
  cos: unaryCase("cos", (x) => nb.cos(x), Math.cos, { domain: { lo: -6, hi: 6 }, hessian: true }),
  tan: unaryCase("tan", (x) => nb.tan(x), Math.tan, {
    domain: { lo: -1.3, hi: 1.3 },
    intDomain: { lo: -1, hi: 1 },
    hessian: true,
  }),
  tanh: unaryCase("tanh", (x) => nb.tanh(x), Math.tanh, { domain: { lo: -4, hi: 4 }, hessian: true }),
  sigmoid: unaryCase("sigmoid", (x) => nb.sigmoid(x), sigmoidRef, {
    domain: { lo: -10, hi: 10, snap: 1 },
    hessian: true,
  }),
  relu: unaryCase(
    "relu",
    (x) => nb.relu(x),
    (v) => (v > 0 ? v : 0),
    {
      domain: wide,
      out: "same",
      kink: (v) => near(v, [0]),
    },
  ),
  leakyRelu: unaryCase<number>(
    "leakyRelu",
    (x, s) => nb.leakyRelu(x, s),
    (v, s) => (v > 0 ? v : v * s),
    {
      domain: wide,
      dtypes: F,
      params: (r) => Math.round(r() * 10) / 20,
      kink: (v) => near(v, [0]),
    },
  ),
  elu: unaryCase<number>(
    "elu",
    (x, a) => nb.elu(x, a),
    (v, a) => (v > 0 ? v : a * Math.expm1(v)),
    {
      domain: wide,
      dtypes: F,
      params: (r) => pick(r, [0.5, 1, 2]),
      kink: (v) => near(v, [0]),
      hessian: true,
    },
  ),
  gelu: unaryCase<"none" | "tanh">(
    "gelu",
    (x, a) => nb.gelu(x, a),
    (v, a) =>
      a === "tanh"
        ? 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)))
        : 0.5 * v * (1 + erfRef(v / Math.SQRT2)),
    { domain: { lo: -4, hi: 4 }, dtypes: F, params: (r) => pick(r, ["none", "tanh"] as const), hessian: true },
  ),
  silu: unaryCase(
    "silu",
    (x) => nb.silu(x),
    (v) => v / (1 + Math.exp(-v)),
    { domain: { lo: -6, hi: 6 }, hessian: true },
  ),
  softplus: unaryCase(
    "softplus",
    (x) => nb.softplus(x),
    (v) => (v > 30 ? v : Math.log1p(Math.exp(v))),
    {
      domain: { lo: -10, hi: 10 },
      hessian: true,
    },
  ),
  erf: unaryCase("erf", (x) => nb.erf(x), erfRef, { domain: { lo: -3.5, hi: 3.5 }, hessian: true }),
  floor: unaryCase("floor", (x) => nb.floor(x), Math.floor, {
    domain: { lo: -4, hi: 4, snap: 0.5 },
    out: "same",
    kink: (v) => nearInt(v),
  }),
  ceil: unaryCase("ceil", (x) => nb.ceil(x), Math.ceil, {
    domain: { lo: -4, hi: 4, snap: 0.5 },
    out: "same",
    kink: (v) => nearInt(v),
  }),
  round: unaryCase(
    "round",
    (x) => nb.round(x),
    (v) => {
      // half to even, from the definition
      const f = Math.floor(v);
      const d = v - f;
      return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
    },
    { domain: { lo: -4, hi: 4, snap: 0.5 }, out: "same", kink: (v) => nearInt(v + 0.5) },
  ),
  clamp: unaryCase<{ lo: number | null; hi: number | null }>(
    "clamp",
    (x, p) => nb.clamp(x, p.lo, p.hi),
    (v, p) => Math.min(Math.max(v, p.lo ?? -Infinity), p.hi ?? Infinity),
    {
      domain: wide,
      // a non-integer bound is a weak float scalar: an int32 tensor becomes float32
      out: (d, p) => (d === "int32" && [p.lo, p.hi].some((b) => b !== null && !Number.isInteger(b)) ? "float32" : d),
      params: (r) => {
        const a = ri(r, -4, 2) / 2;
        const b = a + ri(r, 0, 4) / 2;
        const m = ri(r, 0, 3);
        return { lo: m === 1 ? null : a, hi: m === 2 ? null : b };
      },
      kink: (v, p) => near(v, [p.lo ?? NaN, p.hi ?? NaN]),
    },
  ),
  reciprocal: unaryCase(
    "reciprocal",
    (x) => nb.reciprocal(x),
    (v) => 1 / v,
    {
      domain: { lo: -5, hi: 5, minAbs: 0.2 },
      intDomain: { lo: -5, hi: 5, minAbs: 1 },
      hessian: true,
    },
  ),
  logicalNot: unaryCase(
    "logicalNot",
    (x) => nb.logicalNot(x),
    (v) => (v === 0 ? 1 : 0),
    {
      domain: { lo: -1, hi: 1, snap: 1 },
      dtypes: ALL,
      out: "bool",
      grad: false,
    },
  ),

  add: binaryCase(
    "add",
    (x, y) => nb.add(x, y),
    (a, b) => a + b,
    { domains: [wide, wide] },
  ),
  sub: binaryCase(
    "sub",
    (x, y) => nb.sub(x, y),
    (a, b) => a - b,
    { domains: [wide, wide] },
  ),
  mul: binaryCase(
    "mul",
    (x, y) => nb.mul(x, y),
    (a, b) => a * b,
    { domains: [wide, wide] },
  ),
  div: binaryCase(
    "div",
    (x, y) => nb.div(x, y),
    (a, b) => a / b,
    {
      domains: [wide, { lo: -3, hi: 3, minAbs: 0.3, snap: 0.5 }],
      intDomains: [
        { lo: -9, hi: 9 },
        { lo: -4, hi: 4, minAbs: 1 },
      ],
      out: floatD,
      hessian: true,
    },
  ),
  pow: binaryCase("pow", (x, y) => nb.pow(x, y), Math.pow, {
    domains: [
      { lo: 0.2, hi: 3, snap: 1 },
      { lo: -2, hi: 2, snap: 1 },
    ],
    intDomains: [
      { lo: 0, hi: 4 },
      { lo: 0, hi: 3 },
    ],
    tol: { float32: { rtol: 2e-5, atol: 1e-6 } },
    hessian: true,
  }),
  maximum: binaryCase(
    "maximum",
    (x, y) => nb.maximum(x, y),
    (a, b) => (a > b ? a : b),
    {
      domains: [wide, wide],
      kink: (a, b) => near(a, [b]),
    },
  ),
  minimum: binaryCase(
    "minimum",
    (x, y) => nb.minimum(x, y),
    (a, b) => (a < b ? a : b),
    {
      domains: [wide, wide],
      kink: (a, b) => near(a, [b]),
    },
  ),
  mod: binaryCase(
    "mod",
    (x, y) => nb.mod(x, y),
    (a, b) => a - b * Math.floor(a / b),
    {
      domains: [
        { lo: -5, hi: 5, snap: 0.5 },
        { lo: -3, hi: 3, minAbs: 0.5, snap: 0.5 },
      ],
      intDomains: [
        { lo: -9, hi: 9 },
        { lo: -4, hi: 4, minAbs: 1 },
      ],
      tol: { float32: { rtol: 1e-5, atol: 2e-6 } },
      kink: (a, b) => nearInt(a / b, 0.02),
    },
  ),
  eq: binaryCase(
    "eq",
    (x, y) => nb.eq(x, y),
    (a, b) => (a === b ? 1 : 0),
    cmp(),
  ),
  ne: binaryCase(
    "ne",
    (x, y) => nb.ne(x, y),
    (a, b) => (a !== b ? 1 : 0),
    cmp(),
  ),
  lt: binaryCase(
    "lt",
    (x, y) => nb.lt(x, y),
    (a, b) => (a < b ? 1 : 0),
    cmp(),
  ),
  le: binaryCase(
    "le",
    (x, y) => nb.le(x, y),
    (a, b) => (a <= b ? 1 : 0),
    cmp(),
  ),
  gt: binaryCase(
    "gt",
    (x, y) => nb.gt(x, y),
    (a, b) => (a > b ? 1 : 0),
    cmp(),
  ),
  ge: binaryCase(
    "ge",
    (x, y) => nb.ge(x, y),
    (a, b) => (a >= b ? 1 : 0),
    cmp(),
  ),
  logicalAnd: binaryCase(
    "logicalAnd",
    (x, y) => nb.logicalAnd(x, y),
    (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
    {
      domains: [
        { lo: -1, hi: 1, snap: 1 },
        { lo: -1, hi: 1, snap: 1 },
      ],
      dtypes: ALL,
      out: () => "bool",
      grad: false,
    },
  ),
  logicalOr: binaryCase(
    "logicalOr",
    (x, y) => nb.logicalOr(x, y),
    (a, b) => (a !== 0 || b !== 0 ? 1 : 0),
    {
      domains: [
        { lo: -1, hi: 1, snap: 1 },
        { lo: -1, hi: 1, snap: 1 },
      ],
      dtypes: ALL,
      out: () => "bool",
      grad: false,
    },
  ),
  where: mk<undefined>({
    id: "where",
    inputs: [{ domain: { lo: 0, hi: 1 }, dtype: "bool" }, { domain: wide }, { domain: wide }],
    dtypes: ALL,
    gen: noParams(bcastShapes(3, { empty: true })),
    build: ([c, x, y]) => nb.where(c as nb.Tensor, x as nb.Tensor, y as nb.Tensor),
    ref: ([c, x, y]) => elementwise([c as Arr, x as Arr, y as Arr], (a, b, d) => (a !== 0 ? b : d)),
    outDtype: (c) => promoteD(c.dtypes[1] as DType, c.dtypes[2] as DType),
    grad: true,
  }),
} as const;

function cmp(): BinaryOpts {
  return { domains: [wide, wide], dtypes: ALL, out: () => "bool", grad: false };
}

// ---------------------------------------------------------------------------------------------
// Reduction rows.

const R = {
  sum: reduceCase(
    "sum",
    (x, p) => nb.sum(x, p.axis, p.keepdims),
    (vs) => vs.reduce((a, b) => a + b, 0),
    {
      dtypes: ALL,
      domain: { lo: -2, hi: 2 },
      intDomain: { lo: -5, hi: 5 },
      out: (d) => (d === "bool" ? "int32" : d),
      empty: true,
      grad: true,
      tol: redFloatTol,
    },
  ),
  mean: reduceCase("mean", (x, p) => nb.mean(x, p.axis, p.keepdims), meanOf, {
    dtypes: FI,
    domain: { lo: -2, hi: 2 },
    out: floatD,
    empty: true,
    grad: true,
    tol: redFloatTol,
  }),
  prod: reduceCase(
    "prod",
    (x, p) => nb.prod(x, p.axis, p.keepdims),
    (vs, _p, d) =>
      d === "float32" || d === "float64" ? vs.reduce((a, b) => a * b, 1) : vs.reduce((a, b) => Math.imul(a, b), 1),
    {
      dtypes: ALL,
      domain: { lo: -1.6, hi: 1.6, minAbs: 0.4 },
      intDomain: { lo: -2, hi: 2 },
      out: (d) => (d === "bool" ? "int32" : d),
      empty: true,
      grad: true,
      tol: { float32: { rtol: 2e-5, atol: 1e-6 }, float64: { rtol: 1e-12, atol: 1e-14 } },
    },
  ),
  max: reduceCase(
    "max",
    (x, p) => nb.max(x, p.axis, p.keepdims),
    (vs) => Math.max(...vs),
    {
      dtypes: ALL,
      domain: { lo: -2, hi: 2, snap: 0.5 },
      out: (d) => d,
      empty: false,
      grad: true,
      gradOk: (x, p) => topGap(x, p, 1),
    },
  ),
  min: reduceCase(
    "min",
    (x, p) => nb.min(x, p.axis, p.keepdims),
    (vs) => Math.min(...vs),
    {
      dtypes: ALL,
      domain: { lo: -2, hi: 2, snap: 0.5 },
      out: (d) => d,
      empty: false,
      grad: true,
      gradOk: (x, p) => topGap(x, p, -1),
    },
  ),
  argmax: reduceCase(
    "argmax",
    (x, p) => nb.argmax(x, p.axis as number | undefined, p.keepdims),
    (vs) => firstIndex(vs, (a, b) => a > b),
    {
      dtypes: ALL,
      domain: { lo: -2, hi: 2, snap: 0.5 },
      intDomain: { lo: -3, hi: 3 },
      out: () => "int32",
      empty: false,
      grad: false,
      single: true,
    },
  ),
  argmin: reduceCase(
    "argmin",
    (x, p) => nb.argmin(x, p.axis as number | undefined, p.keepdims),
    (vs) => firstIndex(vs, (a, b) => a < b),
    {
      dtypes: ALL,
      domain: { lo: -2, hi: 2, snap: 0.5 },
      intDomain: { lo: -3, hi: 3 },
      out: () => "int32",
      empty: false,
      grad: false,
      single: true,
    },
  ),
  variance: reduceCase(
    "variance",
    (x, p) => nb.variance(x, p.axis, { keepdims: p.keepdims, correction: p.correction }),
    (vs, p) => varOf(vs, p.correction),
    {
      dtypes: FI,
      domain: { lo: -2, hi: 2 },
      out: floatD,
      empty: false,
      grad: true,
      correction: true,
      tol: redFloatTol,
      gradOk: (x, p) => groups(x, axesOf(p.axis, x.shape.length)).groups.every((g) => g.length - p.correction > 0),
    },
  ),
  std: reduceCase(
    "std",
    (x, p) => nb.std(x, p.axis, { keepdims: p.keepdims, correction: p.correction }),
    (vs, p) => Math.sqrt(varOf(vs, p.correction)),
    {
      dtypes: FI,
      domain: { lo: -2, hi: 2 },
      out: floatD,
      empty: false,
      grad: true,
      correction: true,
      tol: redFloatTol,
      gradOk: (x, p) =>
        groups(x, axesOf(p.axis, x.shape.length)).groups.every(
          (g) => g.length - p.correction > 0 && varOf(g, 0) > 1e-3,
        ),
    },
  ),
  logsumexp: reduceCase(
    "logsumexp",
    (x, p) => nb.logsumexp(x, p.axis, p.keepdims),
    (vs) => {
      const m = Math.max(...vs);
      return m + Math.log(vs.reduce((a, v) => a + Math.exp(v - m), 0));
    },
    { dtypes: FI, domain: { lo: -5, hi: 5 }, out: floatD, empty: false, grad: true, hessian: true, tol: redFloatTol },
  ),
  all: reduceCase(
    "all",
    (x, p) => nb.all(x, p.axis, p.keepdims),
    (vs) => (vs.every((v) => v !== 0) ? 1 : 0),
    {
      dtypes: ALL,
      domain: { lo: -1, hi: 1, snap: 1 },
      intDomain: { lo: -1, hi: 3 },
      out: () => "bool",
      empty: false,
      grad: false,
    },
  ),
  any: reduceCase(
    "any",
    (x, p) => nb.any(x, p.axis, p.keepdims),
    (vs) => (vs.some((v) => v !== 0) ? 1 : 0),
    {
      dtypes: ALL,
      domain: { lo: -1, hi: 1, snap: 1 },
      intDomain: { lo: -1, hi: 1 },
      out: () => "bool",
      empty: false,
      grad: false,
    },
  ),
  cumsum: mk<number>({
    id: "cumsum",
    inputs: [{ domain: { lo: -2, hi: 2 }, intDomain: { lo: -5, hi: 5 } }],
    dtypes: ALL,
    tol: redFloatTol,
    gen: seeded(oneShape({ minRank: 1, empty: true }), ([s], r) => {
      const nd = (s as number[]).length;
      const a = ri(r, 0, nd - 1);
      return chance(r, 0.4) ? a - nd : a;
    }),
    build: ([x], axis) => nb.cumsum(x as nb.Tensor, axis),
    ref: ([x], axis) => {
      const xa = x as Arr;
      const a = axis < 0 ? axis + xa.shape.length : axis;
      const data = xa.data.map((_, k) => {
        const idx = unravel(k, xa.shape);
        let s = 0;
        for (let j = 0; j <= (idx[a] as number); j++) {
          const jdx = [...idx];
          jdx[a] = j;
          s += xa.data[ravel(jdx, xa.shape)] as number;
        }
        return s;
      });
      return { data, shape: [...xa.shape] };
    },
    outDtype: (c) => (c.dtypes[0] === "bool" ? "int32" : (c.dtypes[0] as DType)),
    grad: true,
  }),
} as const;

// ---------------------------------------------------------------------------------------------
// Source, movement, linear-algebra and identity rows (primitive table only).

interface ArangeP {
  a: number;
  b: number;
  c: number;
}
/** arange arguments for the dtype under test: integers for int32, quarters for float32, explicit dtype for float64. */
const arangeArgs = (p: ArangeP, d: DType): [number, number, number] =>
  d === "int32" ? [p.a, p.b, p.c] : [p.a / 4, p.b / 4 + 0.1, p.c / 4];

const movementDomain: Domain = { lo: -3, hi: 3 };

const S = {
  const: mk<undefined>({
    id: "tensor (const)",
    inputs: [{ domain: wide }],
    dtypes: ALL,
    gen: noParams(oneShape({ empty: true })),
    // the value goes through nested JS arrays (booleans for bool), not the input tensor
    build: (_xs, _p, c) => {
      const a = c.raw[0] as Arr;
      const nested = nest(a, c.dtype === "bool");
      return sizeOf(a.shape) === 0
        ? nb.tensor(nested, { dtype: c.dtype, shape: a.shape })
        : nb.tensor(nested, { dtype: c.dtype });
    },
    ref: ([x]) => x as Arr,
    outDtype: same,
    grad: false,
  }),
  full: mk<{ shape: number[]; value: number }>({
    id: "full",
    inputs: [],
    dtypes: ALL,
    gen: seeded(fc.constant([]), (_s, r) => ({
      shape: Array.from({ length: ri(r, 0, 3) }, () => ri(r, 0, 4)),
      value: pick(r, [0, 1, -2.5, 3.75, 0.1, -7]),
    })),
    build: (_xs, p, c) => nb.full(p.shape, p.value, { dtype: c.dtype }),
    ref: (_xs, p, c) => ({ data: new Array<number>(sizeOf(p.shape)).fill(castRef(p.value, c.dtype)), shape: p.shape }),
    outDtype: (c) => c.dtype,
    grad: false,
  }),
  iota: mk<ArangeP>({
    id: "arange (iota)",
    inputs: [],
    dtypes: FI,
    gen: seeded(fc.constant([]), (_s, r) => {
      const c = pick(r, [1, 1, 2, 3, -1, -2]);
      return { a: ri(r, -5, 5), b: ri(r, -8, 8), c };
    }),
    build: (_xs, p, c) => {
      const [a, b, s] = arangeArgs(p, c.dtype);
      return c.dtype === "float64" ? nb.arange(a, b, s, { dtype: "float64" }) : nb.arange(a, b, s);
    },
    ref: (_xs, p, c) => {
      const [a, b, s] = arangeArgs(p, c.dtype);
      const n = Math.max(0, Math.ceil((b - a) / s));
      return { data: Array.from({ length: n }, (_, i) => a + i * s), shape: [n] };
    },
    outDtype: (c) => c.dtype,
    grad: false,
  }),
  random: mk<{ shape: number[]; seed: number }>({
    id: "rand (random)",
    inputs: [],
    dtypes: F,
    tol: { float32: { rtol: 0, atol: 0 }, float64: { rtol: 0, atol: 0 } },
    gen: seeded(
      shapeArb({ empty: true }).map((s) => [s]),
      ([s], r) => ({ shape: s as number[], seed: ri(r, 0, 1e6) }),
    ),
    build: (_xs, p, c) => nb.rand(p.shape, { key: nb.random.key(p.seed), dtype: c.dtype }),
    ref: (_xs, p) => {
      const key = threefryRef([0, 0], [p.seed >>> 0, Math.floor(p.seed / 2 ** 32) >>> 0]);
      const data = Array.from({ length: sizeOf(p.shape) }, (_, i) => (threefryRef(key, [i, 0])[0] >>> 8) / 2 ** 24);
      return { data, shape: p.shape };
    },
    outDtype: (c) => c.dtype,
    grad: false,
  }),
  cast: mk<DType>({
    id: "astype (cast)",
    inputs: [{ domain: { lo: -3, hi: 3, snap: 0.5 } }],
    dtypes: ALL,
    gen: seeded(oneShape({ empty: true }), (_s, r) => pick(r, ALL)),
    build: ([x], to) => nb.astype(x as nb.Tensor, to),
    ref: ([x], to) => elementwise([x as Arr], (v) => castRef(v, to)),
    outDtype: (_c, to) => to,
    grad: true,
    // float64 → float32 rounds: difference over a wide step, loose tolerance
    gradOk: (_x, to) => isFloatD(to),
    gradEps: 1e-2,
    gradTol: { rtol: 1e-3, atol: 1e-4 },
  }),
  input: mk<undefined>({
    id: "vjp identity (input)",
    inputs: [{ domain: wide }],
    dtypes: F,
    gen: noParams(oneShape({ empty: true })),
    build: ([x]) => nb.vjp((y: nb.Tensor) => y, x as nb.Tensor)[0],
    ref: ([x]) => x as Arr,
    outDtype: same,
    grad: true,
  }),
  stopGradient: mk<undefined>({
    id: "stopGradient",
    inputs: [{ domain: wide }],
    dtypes: ALL,
    gen: noParams(oneShape({ empty: true })),
    build: ([x]) => nb.stopGradient(x as nb.Tensor),
    ref: ([x]) => x as Arr,
    outDtype: same,
    grad: "zero",
  }),
  reshape: mk<number[]>({
    id: "reshape",
    inputs: [{ domain: movementDomain }],
    dtypes: ALL,
    gen: seeded(oneShape({ empty: true }), ([s], r) => {
      const shape = s as number[];
      const n = sizeOf(shape);
      if (n === 0) return shuffle(r, [...shape, ...(chance(r, 0.5) ? [1] : [])]);
      const primes: number[] = [];
      for (let m = n, q = 2; m > 1;) {
        if (m % q === 0) {
          primes.push(q);
          m /= q;
        } else q++;
      }
      const k = ri(r, primes.length ? 1 : 0, 3);
      const dims = new Array<number>(k).fill(1);
      for (const q of primes) dims[ri(r, 0, k - 1)] = (dims[ri(r, 0, k - 1)] ?? 1) * q;
      const fixed = dims.map((d) => d);
      if (sizeOf(fixed) !== n) {
        // a prime went to a different slot than the one read: recompute the last dim
        const rest = sizeOf(fixed.slice(0, -1));
        fixed[k - 1] = n / rest;
      }
      if (!Number.isInteger(fixed[k - 1]) || sizeOf(fixed) !== n) return [n];
      if (k > 0 && chance(r, 0.3)) fixed[ri(r, 0, k - 1)] = -1;
      return fixed;
    }),
    build: ([x], target) => nb.reshape(x as nb.Tensor, target),
    ref: ([x], target) => {
      const xa = x as Arr;
      const known = sizeOf(target.filter((d) => d !== -1));
      return { data: xa.data, shape: target.map((d) => (d === -1 ? xa.data.length / known : d)) };
    },
    outDtype: same,
    grad: true,
  }),
  permute: mk<number[]>({
    id: "permute",
    inputs: [{ domain: movementDomain }],
    dtypes: ALL,
    gen: seeded(oneShape({ empty: true }), ([s], r) => {
      const nd = (s as number[]).length;
      return shuffle(
        r,
        Array.from({ length: nd }, (_, i) => i),
      ).map((a) => (chance(r, 0.3) ? a - nd : a));
    }),
    build: ([x], perm) => nb.permute(x as nb.Tensor, perm),
    ref: ([x], perm) => {
      const xa = x as Arr;
      const nd = xa.shape.length;
      const p = perm.map((a) => (a < 0 ? a + nd : a));
      const shape = p.map((a) => xa.shape[a] as number);
      const data = Array.from({ length: xa.data.length }, (_, k) => {
        const o = unravel(k, shape);
        const i = new Array<number>(nd);
        p.forEach((a, j) => (i[a] = o[j] as number));
        return xa.data[ravel(i, xa.shape)] as number;
      });
      return { data, shape };
    },
    outDtype: same,
    grad: true,
  }),
  expand: mk<number[]>({
    id: "expand",
    inputs: [{ domain: movementDomain }],
    dtypes: ALL,
    gen: seeded(
      shapeArb({ maxRank: 3 }).chain((s) =>
        fc
          .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
          .map((m) => [s.map((d, i) => (m[i] ? 1 : d))]),
      ),
      ([s], r) => {
        const shape = s as number[];
        const lead = Array.from({ length: ri(r, 0, 1) }, () => ri(r, 1, 3));
        return [...lead, ...shape.map((d) => (d === 1 ? ri(r, 0, 4) : chance(r, 0.3) ? -1 : d))];
      },
    ),
    build: ([x], target) => nb.expand(x as nb.Tensor, target),
    ref: ([x], target) => {
      const xa = x as Arr;
      const off = target.length - xa.shape.length;
      const shape = target.map((d, i) => (d === -1 ? (xa.shape[i - off] as number) : d));
      const data = Array.from({ length: sizeOf(shape) }, (_, k) => bread(xa, unravel(k, shape)));
      return { data, shape };
    },
    outDtype: same,
    grad: true,
  }),
  pad: mk<{ widths: [number, number][] | number; value: number }>({
    id: "pad",
    inputs: [{ domain: movementDomain }],
    dtypes: ALL,
    gen: seeded(oneShape({ empty: true }), ([s], r) => {
      const shape = s as number[];
      const value = pick(r, [0, 1, -2.5]);
      if (chance(r, 0.2)) return { widths: ri(r, 0, 2), value };
      const widths = shape.map((d): [number, number] => {
        const lo = d > 1 && chance(r, 0.2) ? -1 : ri(r, 0, 2);
        const hi = d > 2 && chance(r, 0.2) ? -1 : ri(r, 0, 2);
        return [lo, hi];
      });
      return { widths, value };
    }),
    build: ([x], p) => nb.pad(x as nb.Tensor, p.widths, p.value),
    ref: ([x], p, c) => {
      const xa = x as Arr;
      const ws =
        typeof p.widths === "number"
          ? xa.shape.map((): [number, number] => [p.widths as number, p.widths as number])
          : p.widths;
      const shape = xa.shape.map((d, i) => d + (ws[i] as [number, number])[0] + (ws[i] as [number, number])[1]);
      const fill = castRef(p.value, c.dtype);
      const data = Array.from({ length: sizeOf(shape) }, (_, k) => {
        const o = unravel(k, shape);
        const i = o.map((v, d) => v - (ws[d] as [number, number])[0]);
        return i.every((v, d) => v >= 0 && v < (xa.shape[d] as number))
          ? (xa.data[ravel(i, xa.shape)] as number)
          : fill;
      });
      return { data, shape };
    },
    outDtype: same,
    grad: true,
  }),
  slice: mk<string>({
    id: "at (slice)",
    inputs: [{ domain: movementDomain }],
    dtypes: ALL,
    gen: seeded(oneShape({ empty: true }), ([s], r) => {
      const shape = s as number[];
      if (shape.length === 0) return "...";
      const items = shape.map((d) => {
        if (d > 0 && chance(r, 0.15)) return String(ri(r, -d, d - 1));
        const part = (): string => (chance(r, 0.3) ? "" : String(ri(r, -6, 6)));
        const step = pick(r, ["", "", "1", "2", "3", "-1", "-2"]);
        return `${part()}:${part()}${step ? `:${step}` : ""}`;
      });
      return items.join(", ");
    }),
    build: ([x], idx) => (x as nb.Tensor).at(idx),
    ref: ([x], idx) => {
      const xa = x as Arr;
      if (idx === "...") return xa;
      const parts = idx.split(", ");
      const num = (t: string | undefined): number | undefined => (t === undefined || t === "" ? undefined : Number(t));
      const picks = parts.map((it, d) => {
        const n = xa.shape[d] as number;
        if (!it.includes(":")) {
          const i = Number(it);
          return { pos: [i < 0 ? i + n : i], keep: false };
        }
        const [a, b, st] = it.split(":");
        return { pos: sliceIndices(num(a), num(b), num(st), n), keep: true };
      });
      const full = picks.map((q) => q.pos.length);
      const data = Array.from({ length: sizeOf(full) }, (_, k) => {
        const o = unravel(k, full);
        return xa.data[
          ravel(
            o.map((v, d) => (picks[d] as { pos: number[] }).pos[v] as number),
            xa.shape,
          )
        ] as number;
      });
      return { data, shape: full.filter((_, d) => (picks[d] as { keep: boolean }).keep) };
    },
    outDtype: same,
    grad: true,
  }),
  flip: mk<number | number[] | undefined>({
    id: "flip",
    inputs: [{ domain: movementDomain }],
    dtypes: ALL,
    gen: seeded(oneShape({ empty: true }), ([s], r) => axisParam((s as number[]).length, r, false)),
    build: ([x], axis) => nb.flip(x as nb.Tensor, axis),
    ref: ([x], axis) => {
      const xa = x as Arr;
      const axes = axesOf(axis, xa.shape.length);
      const data = xa.data.map((_, k) => {
        const i = unravel(k, xa.shape).map((v, d) => (axes.includes(d) ? (xa.shape[d] as number) - 1 - v : v));
        return xa.data[ravel(i, xa.shape)] as number;
      });
      return { data, shape: [...xa.shape] };
    },
    outDtype: same,
    grad: true,
  }),
  gather: mk<{ axis: number | undefined; idx: Arr; asList: boolean }>({
    id: "take (gather)",
    inputs: [{ domain: movementDomain }],
    dtypes: ALL,
    gen: seeded(
      shapeArb({ minRank: 1 }).map((s) => [s]),
      ([s], r) => {
        const shape = s as number[];
        const flat = chance(r, 0.25);
        const axis = flat ? undefined : ri(r, -shape.length, shape.length - 1);
        const n = flat
          ? sizeOf(shape)
          : (shape[axis !== undefined && axis < 0 ? axis + shape.length : (axis as number)] as number);
        const asList = chance(r, 0.3);
        const ishape = asList ? [ri(r, 1, 4)] : Array.from({ length: ri(r, 0, 2) }, () => ri(r, 1, 3));
        const idx = { shape: ishape, data: Array.from({ length: sizeOf(ishape) }, () => ri(r, -n, n - 1)) };
        return { axis, idx, asList };
      },
    ),
    build: ([x], p) =>
      nb.take(
        x as nb.Tensor,
        p.asList ? p.idx.data : nb.tensor(Int32Array.from(p.idx.data), { shape: p.idx.shape, dtype: "int32" }),
        p.axis,
      ),
    ref: ([x], p) => {
      let xa = x as Arr;
      if (p.axis === undefined) xa = { data: xa.data, shape: [xa.data.length] };
      const nd = xa.shape.length;
      const a = p.axis === undefined ? 0 : p.axis < 0 ? p.axis + nd : p.axis;
      const n = xa.shape[a] as number;
      const shape = [...xa.shape.slice(0, a), ...p.idx.shape, ...xa.shape.slice(a + 1)];
      const ir = p.idx.shape.length;
      const data = Array.from({ length: sizeOf(shape) }, (_, k) => {
        const o = unravel(k, shape);
        let j = p.idx.data[ravel(o.slice(a, a + ir), p.idx.shape)] as number;
        if (j < 0) j += n;
        return xa.data[ravel([...o.slice(0, a), j, ...o.slice(a + ir)], xa.shape)] as number;
      });
      return { data, shape };
    },
    outDtype: same,
    grad: true,
  }),
  matmul: mk<undefined>({
    id: "matmul",
    inputs: [{ domain: { lo: -2, hi: 2 } }, { domain: { lo: -2, hi: 2 } }],
    dtypes: FI,
    tol: { float32: { rtol: 1e-5, atol: 1e-5 } },
    gen: fc.tuple(seedArb).map(([seed]) => {
      const r = rng(seed);
      const [m, k, n] = [ri(r, 1, 4), ri(r, chance(r, 0.1) ? 0 : 1, 4), ri(r, 1, 4)];
      const batch = chance(r, 0.5) ? [ri(r, 1, 3)] : [];
      const side = (mat: number[]): number[] => {
        const b = batch.length && chance(r, 0.7) ? batch.map((d) => (chance(r, 0.3) ? 1 : d)) : [];
        return [...b, ...mat];
      };
      const a = chance(r, 0.2) ? [k] : side([m, k]);
      const b = chance(r, 0.2) ? [k] : side([k, n]);
      return { shapes: [a, b], params: undefined };
    }),
    build: ([x, y]) => nb.matmul(x as nb.Tensor, y as nb.Tensor),
    ref: ([x, y], _p, c) => {
      const [xa, ya] = [x as Arr, y as Arr];
      const xs = xa.shape.length === 1 ? [1, ...xa.shape] : xa.shape;
      const ys = ya.shape.length === 1 ? [...ya.shape, 1] : ya.shape;
      const [m, k] = xs.slice(-2) as [number, number];
      const n = ys[ys.length - 1] as number;
      const batch = broadcastShape(xs.slice(0, -2), ys.slice(0, -2)) as number[];
      const X = { data: xa.data, shape: xs };
      const Y = { data: ya.data, shape: ys };
      const full = [...batch, m, n];
      const data = Array.from({ length: sizeOf(full) }, (_, f) => {
        const o = unravel(f, full);
        const b = o.slice(0, -2);
        let s = 0;
        for (let t = 0; t < k; t++)
          s += bread(X, [...b, o[o.length - 2] as number, t]) * bread(Y, [...b, t, o[o.length - 1] as number]);
        return promoteD(...c.dtypes) === "int32" ? s | 0 : s;
      });
      const shape = [...batch, ...(xa.shape.length === 1 ? [] : [m]), ...(ya.shape.length === 1 ? [] : [n])];
      return { data, shape };
    },
    outDtype: (c) => promoteD(...c.dtypes),
    grad: true,
    mixed: false,
  }),
} as const;

// ---------------------------------------------------------------------------------------------
// The tables.

const prim = <K extends OpName>(k: K, c: AnyCase): OpCase<K> => ({ ...c, prim: k });

/** One row per primitive in the registry. */
export const OP_TABLE: { readonly [K in OpName]: OpCase<K> } = {
  const: prim("const", S.const),
  full: prim("full", S.full),
  iota: prim("iota", S.iota),
  random: prim("random", S.random),
  neg: prim("neg", C.neg),
  recip: prim("recip", C.reciprocal),
  exp: prim("exp", C.exp),
  log: prim("log", C.log),
  expm1: prim("expm1", C.expm1),
  log1p: prim("log1p", C.log1p),
  sin: prim("sin", C.sin),
  cos: prim("cos", C.cos),
  sqrt: prim("sqrt", C.sqrt),
  tanh: prim("tanh", C.tanh),
  erf: prim("erf", C.erf),
  floor: prim("floor", C.floor),
  round: prim("round", C.round),
  abs: prim("abs", C.abs),
  sign: prim("sign", C.sign),
  not: prim("not", C.logicalNot),
  add: prim("add", C.add),
  sub: prim("sub", C.sub),
  mul: prim("mul", C.mul),
  div: prim("div", C.div),
  pow: prim("pow", C.pow),
  maximum: prim("maximum", C.maximum),
  minimum: prim("minimum", C.minimum),
  mod: prim("mod", C.mod),
  cmplt: prim("cmplt", C.lt),
  cmpeq: prim("cmpeq", C.eq),
  and: prim("and", C.logicalAnd),
  or: prim("or", C.logicalOr),
  where: prim("where", C.where),
  cast: prim("cast", S.cast),
  input: prim("input", S.input),
  stopGradient: prim("stopGradient", S.stopGradient),
  sum: prim("sum", R.sum),
  max: prim("max", R.max),
  prod: prim("prod", R.prod),
  argmax: prim("argmax", R.argmax),
  reshape: prim("reshape", S.reshape),
  permute: prim("permute", S.permute),
  expand: prim("expand", S.expand),
  pad: prim("pad", S.pad),
  slice: prim("slice", S.slice),
  flip: prim("flip", S.flip),
  gather: prim("gather", S.gather),
  matmul: prim("matmul", S.matmul),
};

/** The public composites of src/tensor/math.ts and reduce.ts that the table covers. */
export type CompositeName =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "pow"
  | "neg"
  | "abs"
  | "sign"
  | "exp"
  | "log"
  | "log1p"
  | "expm1"
  | "sqrt"
  | "rsqrt"
  | "square"
  | "sin"
  | "cos"
  | "tan"
  | "tanh"
  | "sigmoid"
  | "relu"
  | "leakyRelu"
  | "elu"
  | "gelu"
  | "silu"
  | "softplus"
  | "erf"
  | "floor"
  | "ceil"
  | "round"
  | "clamp"
  | "maximum"
  | "minimum"
  | "mod"
  | "eq"
  | "ne"
  | "lt"
  | "le"
  | "gt"
  | "ge"
  | "logicalAnd"
  | "logicalOr"
  | "logicalNot"
  | "where"
  | "sum"
  | "mean"
  | "prod"
  | "max"
  | "min"
  | "argmax"
  | "argmin"
  | "variance"
  | "std"
  | "logsumexp"
  | "all"
  | "any"
  | "cumsum";
// every name is a function nabla exports (a renamed export fails to compile here)
type _Exported = { [K in CompositeName]: (typeof nb)[K] extends (...a: never[]) => nb.Tensor ? true : never };
export const _compositesAreExported: _Exported | null = null;

export type CompositeCase<K extends CompositeName> = AnyCase & { readonly composite: K };
const comp = <K extends CompositeName>(k: K, c: AnyCase): CompositeCase<K> => ({ ...c, composite: k });

export const COMPOSITE_TABLE: { readonly [K in CompositeName]: CompositeCase<K> } = {
  add: comp("add", C.add),
  sub: comp("sub", C.sub),
  mul: comp("mul", C.mul),
  div: comp("div", C.div),
  pow: comp("pow", C.pow),
  neg: comp("neg", C.neg),
  abs: comp("abs", C.abs),
  sign: comp("sign", C.sign),
  exp: comp("exp", C.exp),
  log: comp("log", C.log),
  log1p: comp("log1p", C.log1p),
  expm1: comp("expm1", C.expm1),
  sqrt: comp("sqrt", C.sqrt),
  rsqrt: comp("rsqrt", C.rsqrt),
  square: comp("square", C.square),
  sin: comp("sin", C.sin),
  cos: comp("cos", C.cos),
  tan: comp("tan", C.tan),
  tanh: comp("tanh", C.tanh),
  sigmoid: comp("sigmoid", C.sigmoid),
  relu: comp("relu", C.relu),
  leakyRelu: comp("leakyRelu", C.leakyRelu),
  elu: comp("elu", C.elu),
  gelu: comp("gelu", C.gelu),
  silu: comp("silu", C.silu),
  softplus: comp("softplus", C.softplus),
  erf: comp("erf", C.erf),
  floor: comp("floor", C.floor),
  ceil: comp("ceil", C.ceil),
  round: comp("round", C.round),
  clamp: comp("clamp", C.clamp),
  maximum: comp("maximum", C.maximum),
  minimum: comp("minimum", C.minimum),
  mod: comp("mod", C.mod),
  eq: comp("eq", C.eq),
  ne: comp("ne", C.ne),
  lt: comp("lt", C.lt),
  le: comp("le", C.le),
  gt: comp("gt", C.gt),
  ge: comp("ge", C.ge),
  logicalAnd: comp("logicalAnd", C.logicalAnd),
  logicalOr: comp("logicalOr", C.logicalOr),
  logicalNot: comp("logicalNot", C.logicalNot),
  where: comp("where", C.where),
  sum: comp("sum", R.sum),
  mean: comp("mean", R.mean),
  prod: comp("prod", R.prod),
  max: comp("max", R.max),
  min: comp("min", R.min),
  argmax: comp("argmax", R.argmax),
  argmin: comp("argmin", R.argmin),
  variance: comp("variance", R.variance),
  std: comp("std", R.std),
  logsumexp: comp("logsumexp", R.logsumexp),
  all: comp("all", R.all),
  any: comp("any", R.any),
  cumsum: comp("cumsum", R.cumsum),
};

/** Every distinct case once, with the table rows that use it (a primitive and its composite share one). */
export function allCases(): { c: AnyCase; rows: string[] }[] {
  const byId = new Map<string, { c: AnyCase; rows: string[] }>();
  const add = (row: string, c: AnyCase): void => {
    const e = byId.get(c.id) ?? { c, rows: [] };
    e.rows.push(row);
    byId.set(c.id, e);
  };
  for (const [k, c] of Object.entries(OP_TABLE)) add(`prim ${k}`, c);
  for (const [k, c] of Object.entries(COMPOSITE_TABLE)) add(k, c);
  return [...byId.values()];
}

/** Default tolerances by output dtype. */
export const DEFAULT_TOL: Record<DType, Tol> = {
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-12, atol: 1e-12 },
  int32: { rtol: 0, atol: 0 },
  bool: { rtol: 0, atol: 0 },
};
