// Elementwise primitives: unary math, binary arithmetic and comparisons, where, cast.
// Each lowers to one ALU instruction over the inputs at the same index.
import { alu, cnst, type AluOp, type Expr } from "../core/alu.js";
import { isFloat, type DType } from "../core/dtype.js";
import { DTypeError, ShapeError, fmtShape } from "../core/errors.js";
import { shapesEqual, type Shape } from "../core/shape.js";
import { defineOp, type LowerCtx, type OpDef, type VjpCtx } from "./def.js";
import { Ops } from "./helpers.js";

type Kind = "float" | "numeric" | "bool" | "any";

function checkKind(op: string, d: DType, kind: Kind): void {
  const ok = kind === "any" || (kind === "float" ? isFloat(d) : kind === "bool" ? d === "bool" : d !== "bool");
  if (!ok) throw new DTypeError(op, `expected a ${kind} dtype, got ${d}`);
}

function sameShapes(op: string, shapes: readonly Shape[]): number[] {
  const s0 = shapes[0] ?? [];
  for (const s of shapes) {
    if (!shapesEqual(s, s0)) throw new ShapeError(op, `shapes ${shapes.map(fmtShape).join(" and ")} differ`);
  }
  return [...s0];
}

function sameDTypes(op: string, ds: readonly DType[]): DType {
  const d0 = ds[0] ?? "float32";
  if (ds.some((d) => d !== d0)) throw new DTypeError(op, `dtypes ${ds.join(" and ")} differ`);
  return d0;
}

const lowerAlu = (op: AluOp) => ({
  kind: "expr" as const,
  expr: (c: LowerCtx): Expr =>
    alu(
      op,
      c.inShapes.map((_, i) => c.load(i, c.idx)),
      c.outDtype,
    ),
});

type Vjp = <N>(c: VjpCtx<N, Record<string, never>>) => (N | null)[];

function unary(op: AluOp & string, kind: Kind, vjp: Vjp | null): OpDef<Record<string, never>> {
  return defineOp({
    arity: 1,
    shape: (s) => sameShapes(op, s),
    dtype: ([d]) => (checkKind(op, d ?? "float32", kind), d ?? "float32"),
    vjp,
    lower: lowerAlu(op),
  });
}

function binary(
  op: string,
  kind: Kind,
  vjp: Vjp | null,
  out?: DType,
  aluOp = op as AluOp,
): OpDef<Record<string, never>> {
  return defineOp({
    arity: 2,
    shape: (s) => sameShapes(op, s),
    dtype: (ds) => {
      const d = sameDTypes(op, ds);
      checkKind(op, d, kind);
      return out ?? d;
    },
    vjp,
    lower: lowerAlu(aluOp),
  });
}

const o = <N>(c: VjpCtx<N, Record<string, never>>): Ops<N> => new Ops(c.b);
const x0 = <N>(c: VjpCtx<N, unknown>): N => c.x[0] as N;
const x1 = <N>(c: VjpCtx<N, unknown>): N => c.x[1] as N;

export const unaryOps = {
  // d(-x) = -1
  neg: unary("neg", "numeric", (c) => [o(c).neg(c.g)]),
  // d(1/x) = -1/x² = -y²
  recip: unary("recip", "float", (c) => [o(c).neg(o(c).mul(c.g, o(c).mul(c.out, c.out)))]),
  // d eˣ = eˣ
  exp: unary("exp", "float", (c) => [o(c).mul(c.g, c.out)]),
  // d log x = 1/x
  log: unary("log", "float", (c) => [o(c).div(c.g, x0(c))]),
  // d(eˣ-1) = eˣ = y+1
  expm1: unary("expm1", "float", (c) => [o(c).mul(c.g, o(c).add(c.out, o(c).fullLike(1, c.out)))]),
  // d log(1+x) = 1/(1+x)
  log1p: unary("log1p", "float", (c) => [o(c).div(c.g, o(c).add(x0(c), o(c).fullLike(1, x0(c))))]),
  // d sin x = cos x
  sin: unary("sin", "float", (c) => [o(c).mul(c.g, o(c).cos(x0(c)))]),
  // d cos x = -sin x
  cos: unary("cos", "float", (c) => [o(c).neg(o(c).mul(c.g, o(c).sin(x0(c))))]),
  // d √x = 1/(2√x)
  sqrt: unary("sqrt", "float", (c) => [o(c).div(o(c).scale(c.g, 0.5), c.out)]),
  // d tanh x = 1 - tanh²x
  tanh: unary("tanh", "float", (c) => {
    const k = o(c);
    return [k.mul(c.g, k.sub(k.fullLike(1, c.out), k.mul(c.out, c.out)))];
  }),
  // d erf x = 2/√π · e^(-x²)
  erf: unary("erf", "float", (c) => {
    const k = o(c);
    const x = x0(c);
    return [k.mul(c.g, k.scale(k.exp(k.neg(k.mul(x, x))), 2 / Math.sqrt(Math.PI)))];
  }),
  // piecewise constant: gradient 0 everywhere (the jumps have none)
  floor: unary("floor", "float", (c) => [o(c).zerosLike(x0(c))]),
  round: unary("round", "float", (c) => [o(c).zerosLike(x0(c))]),
  // d|x| = sign(x); subgradient 0 at x = 0
  abs: unary("abs", "numeric", (c) => [o(c).mul(c.g, o(c).sign(x0(c)))]),
  sign: unary("sign", "numeric", (c) => [o(c).zerosLike(x0(c))]),
  not: unary("not", "bool", null),
};

export const binaryOps = {
  add: binary("add", "numeric", (c) => [c.g, c.g]),
  sub: binary("sub", "numeric", (c) => [c.g, o(c).neg(c.g)]),
  // d(xy) = y dx + x dy
  mul: binary("mul", "numeric", (c) => [o(c).mul(c.g, x1(c)), o(c).mul(c.g, x0(c))]),
  // d(x/y) = dx/y - x/y² dy
  div: binary("div", "float", (c) => {
    const k = o(c);
    const gx = k.div(c.g, x1(c));
    return [gx, k.neg(k.mul(gx, c.out))];
  }),
  // d xʸ = y·xʸ⁻¹ dx + xʸ·log x dy; taken as 0 where y = 0 (dx) and where x ≤ 0 (dy)
  pow: binary("pow", "float", (c) => {
    const k = o(c);
    const [x, y] = [x0(c), x1(c)];
    const zero = k.zerosLike(x);
    const dx = k.where(k.eq(y, zero), zero, k.mul(y, k.pow(x, k.sub(y, k.fullLike(1, y)))));
    const dy = k.where(k.lt(zero, x), k.mul(c.out, k.log(k.where(k.lt(zero, x), x, k.fullLike(1, x)))), zero);
    return [k.mul(c.g, dx), k.mul(c.g, dy)];
  }),
  // ties split the gradient evenly between both inputs
  maximum: binary("maximum", "numeric", (c) => minmaxVjp(c, true), undefined, "max"),
  minimum: binary("minimum", "numeric", (c) => minmaxVjp(c, false), undefined, "min"),
  // x mod y = x - floor(x/y)·y
  mod: binary("mod", "numeric", (c) => {
    const k = o(c);
    if (!isFloat(k.dtype(c.g))) return [null, null];
    return [c.g, k.neg(k.mul(c.g, k.floor(k.div(x0(c), x1(c)))))];
  }),
  cmplt: binary("cmplt", "any", null, "bool"),
  cmpeq: binary("cmpeq", "any", null, "bool"),
  and: binary("and", "bool", null),
  or: binary("or", "bool", null),
};

function minmaxVjp<N>(c: VjpCtx<N, Record<string, never>>, isMax: boolean): (N | null)[] {
  const k = o(c);
  const [x, y] = [x0(c), x1(c)];
  const win = isMax ? k.lt(y, x) : k.lt(x, y);
  const w = k.add(k.mask(win, x), k.scale(k.mask(k.eq(x, y), x), 0.5));
  return [k.mul(c.g, w), k.mul(c.g, k.sub(k.fullLike(1, w), w))];
}

export const selectOps = {
  /** where(cond, x, y): x where cond holds, else y. */
  where: defineOp({
    arity: 3,
    shape: (s) => sameShapes("where", s),
    dtype: ([c, x, y]) => {
      if (c !== "bool") throw new DTypeError("where", `condition must be bool, got ${c}`);
      return sameDTypes("where", [x ?? "float32", y ?? "float32"]);
    },
    vjp: (c) => {
      const k = new Ops(c.b);
      const z = k.zerosLike(c.g);
      return [null, k.where(c.x[0] as typeof c.g, c.g, z), k.where(c.x[0] as typeof c.g, z, c.g)];
    },
    lower: lowerAlu("where"),
  }),
  /** Converts to `dtype` (float → int truncates toward zero; nonzero → true). */
  cast: defineOp<{ dtype: DType }>({
    arity: 1,
    shape: (s) => sameShapes("cast", s),
    dtype: (_d, p) => p.dtype,
    vjp: (c) => {
      const from = c.b.dtype(c.x[0] as typeof c.g);
      return [isFloat(from) && isFloat(c.p.dtype) ? new Ops(c.b).cast(c.g, from) : null];
    },
    lower: { kind: "expr", expr: (c, p) => alu("cast", [c.load(0, c.idx)], p.dtype) },
  }),
  /** Identity that marks a differentiation input; `uid` keeps it distinct from every other node. */
  input: defineOp<{ uid: number }>({
    arity: 1,
    shape: (s) => [...(s[0] ?? [])],
    dtype: ([d]) => d ?? "float32",
    vjp: (c) => [c.g],
    lower: { kind: "expr", expr: (c) => c.load(0, c.idx) },
  }),
  /** Identity whose gradient is zero. */
  stopGradient: defineOp({
    arity: 1,
    shape: (s) => [...(s[0] ?? [])],
    dtype: ([d]) => d ?? "float32",
    vjp: () => [null],
    lower: { kind: "expr", expr: (c) => c.load(0, c.idx) },
  }),
};

export const zeroExpr = (d: DType): Expr => cnst(0, d);
