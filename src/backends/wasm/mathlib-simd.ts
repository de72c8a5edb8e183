// Four-lane float32 transcendentals for SIMD kernels (functions v128 → v128 in the module):
// exp (Cody–Waite by ln 2 split so k·C1 is exact, degree-7 Taylor, 2^k applied in two halves so
// that subnormal and near-overflow results are right), expm1 (series near 0, 2^k·expm1(r) + 2^k − 1
// elsewhere), log (exponent/mantissa split, log(1+f) = f − hfsq + s(hfsq + R)), log1p (log u with
// the rounding of u = 1 + x corrected) and tanh (−t/(t+2), t = expm1(−2|x|)). Special values
// follow Math.*. Measured maximum errors in test/wasm-math.test.ts: exp, log ≤ 1 ulp; expm1,
// log1p ≤ 2 ulp; tanh ≤ 2 ulp (float32 ulps, against Math.* rounded to float32).
import { splat32 } from "./alu-vector.js";
import type { Code } from "./emit.js";

/** ln 2 = C1 + C2 with C1 = 0.693359375 (8 significant bits: k·C1 is exact for |k| < 2^16). */
const C1 = 0.693359375;
const C2 = -2.1219444e-4;
const f = (c: Code, v: number): Code => splat32(c, v, true);
const i = (c: Code, v: number): Code => splat32(c, v, false);

/** Horner in four lanes: c0 + x(c1 + x(c2 + …)), x a local. */
function poly(c: Code, x: number, coefs: readonly number[]): void {
  f(c, coefs[coefs.length - 1] ?? 0);
  for (let j = coefs.length - 2; j >= 0; j--) {
    c.get(x).v("f32x4.mul");
    f(c, coefs[j] ?? 0).v("f32x4.add");
  }
}
const INV_FACT = [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040, 1 / 40320];

/** k = nearest(x·log2 e) and r = (x − k·C1) − k·C2, for x a local (already clamped). */
function reduce(c: Code, x: number, k: number, r: number): void {
  c.get(x);
  f(c, Math.LOG2E).v("f32x4.mul").v("f32x4.nearest").set(k);
  c.get(x).get(k);
  f(c, C1).v("f32x4.mul").v("f32x4.sub").get(k);
  f(c, C2).v("f32x4.mul").v("f32x4.sub").set(r);
}

/** 2^k for integer lanes k in the normal range, as floats: (k + 127) << 23. */
function pow2(c: Code, ki: () => void): void {
  ki();
  i(c, 127).v("i32x4.add").i32(23).v("i32x4.shl");
}

export function buildVexp(c: Code): void {
  const x = 0;
  const [k, r, ki, k1] = [c.local("v128"), c.local("v128"), c.local("v128"), c.local("v128")];
  // clamp to [-104, 89] keeping NaN (pmin/pmax return their first operand on NaN)
  c.get(x);
  f(c, 89).v("f32x4.pmin");
  f(c, -104).v("f32x4.pmax").set(x);
  reduce(c, x, k, r);
  // p = 1 + r + r²(1/2 + r/6 + …): degree 7, truncation below 0.05 ulp on |r| ≤ ln2/2
  poly(c, r, INV_FACT.slice(2, 8));
  c.get(r).get(r).v("f32x4.mul").v("f32x4.mul").get(r).v("f32x4.add");
  f(c, 1).v("f32x4.add");
  // × 2^k1 × 2^(k−k1), k1 = k >> 1: both factors normal for k in [-150, 128]
  c.get(k).v("i32x4.trunc_sat_f32x4_s").tee(ki).i32(1).v("i32x4.shr_s").set(k1);
  pow2(c, () => c.get(k1));
  c.v("f32x4.mul");
  pow2(c, () => c.get(ki).get(k1).v("i32x4.sub"));
  c.v("f32x4.mul");
}

/** expm1; with `vexp` null, a variant for x ≤ 0 only (tanh's argument) that skips the exp branch. */
export function buildVexpm1(c: Code, vexp: number | null): void {
  const x = 0;
  const [xc, k, r, two, ser] = [c.local("v128"), c.local("v128"), c.local("v128"), c.local("v128"), c.local("v128")];
  const em1 = (y: number): void => {
    // y·(1 + y(1/2 + y/6 + …)), degree 8; the outer product keeps the sign of y = -0
    c.get(y);
    poly(c, y, INV_FACT.slice(2, 9));
    c.get(y).v("f32x4.mul");
    f(c, 1).v("f32x4.add").v("f32x4.mul");
  };
  em1(x);
  c.set(ser);
  // 2^k·expm1(r) + (2^k − 1) for k in [-60, 64]; beyond 64·ln2 it is exp(x), below it is -1
  c.get(x);
  f(c, 44.3614195558365).v("f32x4.pmin");
  f(c, -41.58883083359672).v("f32x4.pmax").set(xc);
  reduce(c, xc, k, r);
  pow2(c, () => c.get(k).v("i32x4.trunc_sat_f32x4_s"));
  c.set(two);
  c.get(ser); // bitselect operand 1: the series where |x| is small
  if (vexp !== null) c.get(x).call(vexp); // operand 1 of the inner select: exp(x) above 44
  c.get(two);
  em1(r);
  c.v("f32x4.mul").get(two);
  f(c, 1).v("f32x4.sub").v("f32x4.add");
  if (vexp !== null) {
    c.get(x);
    f(c, 44.3614195558365).v("f32x4.gt").v("v128.bitselect");
  }
  c.get(x).v("f32x4.abs");
  f(c, 0.34657359027997264).v("f32x4.lt").v("v128.bitselect");
}

export function buildVlog(c: Code): void {
  const x = 0;
  const [xs, e, m, fv, s, z, hfsq, sub, big] = Array.from({ length: 9 }, () => c.local("v128"));
  const [XS, E, M, FV, S, Z, HF, SUB, BIG] = [xs, e, m, fv, s, z, hfsq, sub, big] as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // subnormals: scale by 2^23 first
  c.get(x);
  f(c, 2 ** -126)
    .v("f32x4.lt")
    .set(SUB);
  c.get(x);
  f(c, 2 ** 23)
    .v("f32x4.mul")
    .get(x)
    .get(SUB)
    .v("v128.bitselect")
    .set(XS);
  c.get(XS).i32(23).v("i32x4.shr_u");
  i(c, 127).v("i32x4.sub").get(SUB);
  i(c, 23).v("v128.and").v("i32x4.sub").set(E);
  c.get(XS);
  i(c, 0x7fffff).v("v128.and");
  i(c, 0x3f800000).v("v128.or").set(M);
  // m in [√½, √2): halve the upper part, one more in the exponent
  c.get(M);
  f(c, Math.SQRT2).v("f32x4.gt").set(BIG);
  c.get(M);
  f(c, 0.5).v("f32x4.mul").get(M).get(BIG).v("v128.bitselect").set(M);
  c.get(E).get(BIG).v("i32x4.sub").v("f32x4.convert_i32x4_s").set(E);
  c.get(M);
  f(c, 1).v("f32x4.sub").set(FV);
  c.get(FV);
  f(c, 2).get(FV).v("f32x4.add").v("f32x4.div").set(S);
  c.get(S).get(S).v("f32x4.mul").set(Z);
  c.get(FV).get(FV).v("f32x4.mul");
  f(c, 0.5).v("f32x4.mul").set(HF);
  // lg = f − (hfsq − s(hfsq + z·R(z)))
  c.get(FV).get(HF).get(S).get(HF).get(Z);
  poly(c, Z, [2 / 3, 2 / 5, 2 / 7, 2 / 9]);
  c.v("f32x4.mul").v("f32x4.add").v("f32x4.mul").v("f32x4.sub").v("f32x4.sub");
  // e·C1 + (lg + e·C2)
  c.get(E);
  f(c, C2).v("f32x4.mul").v("f32x4.add").set(FV);
  c.get(E);
  f(c, C1).v("f32x4.mul").get(FV).v("f32x4.add").set(FV);
  // log 0 = -inf, log of a negative = NaN, log inf = inf, NaN stays
  f(c, -Infinity).get(FV).get(x);
  f(c, 0).v("f32x4.eq").v("v128.bitselect");
  c.set(FV);
  f(c, NaN).get(FV).get(x);
  f(c, 0).v("f32x4.lt").v("v128.bitselect").set(FV);
  c.get(x).get(FV).get(x).get(x).v("f32x4.ne").get(x);
  f(c, Infinity).v("f32x4.eq").v("v128.or").v("v128.bitselect");
}

export function buildVlog1p(c: Code, vlog: number): void {
  const x = 0;
  const [u, lu, corr] = [c.local("v128"), c.local("v128"), c.local("v128")];
  f(c, 1).get(x).v("f32x4.add").set(u);
  c.get(u).call(vlog).set(lu);
  // ((u − 1) − x)/u, zero where u is 0 or inf (where log u is already the answer)
  c.get(u);
  f(c, 1).v("f32x4.sub").get(x).v("f32x4.sub").get(u).v("f32x4.div").set(corr);
  c.get(x).get(lu).get(corr).v("f32x4.sub").get(u);
  f(c, 1).v("f32x4.eq").v("v128.bitselect").set(corr);
  c.get(lu).get(corr).get(u);
  f(c, 0).v("f32x4.eq").get(u);
  f(c, Infinity).v("f32x4.eq").v("v128.or").v("v128.bitselect");
}

export function buildVtanh(c: Code, vexpm1: number): void {
  const x = 0;
  const t = c.local("v128");
  c.get(x).v("f32x4.abs");
  f(c, -2).v("f32x4.mul").call(vexpm1).set(t);
  c.get(t).v("f32x4.neg").get(t);
  f(c, 2).v("f32x4.add").v("f32x4.div").v("f32x4.abs");
  // the sign of x (tanh is odd; ±0 keep their sign)
  c.get(x);
  i(c, -0x80000000).v("v128.and").v("v128.or");
}
