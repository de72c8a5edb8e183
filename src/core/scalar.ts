// The meaning of every ALU instruction, as one JavaScript function each (exhaustive over AluOp).
// The js backend runs these; constant folding evaluates with them; other backends must agree.
import type { AluOp } from "./alu.js";
import { castScalar, type DType } from "./dtype.js";

export type Fn = (a: number, b: number, c: number) => number;

const SQRT_PI = Math.sqrt(Math.PI);

/** erf to ~1e-16: Maclaurin series near 0, a continued fraction for erfc in the tails. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / SQRT_PI) * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc(x) = e^{-x²}/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …)))) by Lentz's method
  let f = ax;
  let C = ax;
  let D = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    D = ax + an * D;
    D = D === 0 ? 1e-300 : 1 / D;
    C = ax + an / C;
    if (C === 0) C = 1e-300;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / SQRT_PI / f;
  return Math.sign(x) * (1 - erfc);
}

/** Round half to even, as NumPy does. */
export function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export const ALU_JS: { readonly [K in AluOp]: Fn } = {
  neg: (a) => -a,
  recip: (a) => 1 / a,
  exp: Math.exp,
  log: Math.log,
  expm1: Math.expm1,
  log1p: Math.log1p,
  sin: Math.sin,
  cos: Math.cos,
  sqrt: Math.sqrt,
  tanh: Math.tanh,
  erf,
  floor: Math.floor,
  round: roundEven,
  abs: Math.abs,
  sign: (a) => (a > 0 ? 1 : a < 0 ? -1 : a),
  not: (a) => (a ? 0 : 1),
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  idiv: (a, b) => (b === 0 ? 0 : Math.floor(a / b)),
  mod: (a, b) => {
    const r = a % b;
    return r !== 0 && r < 0 !== b < 0 ? r + b : r;
  },
  pow: Math.pow,
  max: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a > b ? a : b),
  min: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a < b ? a : b),
  cmplt: (a, b) => (a < b ? 1 : 0),
  cmpeq: (a, b) => (a === b ? 1 : 0),
  and: (a, b) => (a && b ? 1 : 0),
  or: (a, b) => (a || b ? 1 : 0),
  where: (c, a, b) => (c ? a : b),
  // cast is handled with the target dtype in the compiler
  cast: (a) => a,
};

/** Evaluates one instruction on constants, with the result rounded to `dtype` (int32 wraps). */
export function evalAlu(op: AluOp, args: readonly number[], dtype: DType): number {
  const [a = 0, b = 0, c = 0] = args;
  if (op === "where") return castScalar(a ? b : c, dtype);
  if (dtype === "int32" && op === "mul") return Math.imul(a, b);
  const v = ALU_JS[op](a, b, c);
  return dtype === "int32" ? v | 0 : castScalar(v, dtype);
}
