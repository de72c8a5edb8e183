// The math library generated into kernel modules: float64 helpers with JavaScript's semantics for
// special values (NaN, ±Inf, ±0), range reduction and polynomials. float32 kernels call them on
// promoted values and round once (≤ 1 float32 ulp). Maximum errors measured over dense samples
// (test/wasm-math.test.ts) against Math.*: exp, log, log1p, sin, cos ≤ 1 ulp; expm1 ≤ 2 ulp;
// tanh ≤ 3 ulp; pow ≤ 4 ulp (special cases exact); erf ≤ 1.5e-15 relative to a 256-bit reference.
// sin/cos for |x| ≥ 2^20·π/2 call Math.sin/Math.cos (imported): the 33-bit Cody–Waite pieces stop
// being exact there. fmod is exact; the integer helpers follow core/scalar.ts (0 for a zero divisor).
import { LN2_HI, LN2_LO, LOG2E, LOG_POLY, SPLIT, SQRT2, invFactorials } from "./consts.js";
import { Code, type ModuleBuilder, type ValType } from "./emit.js";
import { buildErf, buildTrig } from "./mathlib-trig.js";
import { buildLogdd, buildPow } from "./mathlib-pow.js";
import { buildVexp, buildVexpm1, buildVlog, buildVlog1p, buildVtanh } from "./mathlib-simd.js";
import { F, I, L, call, doWhile, get, ret, select, seq, set, when, type E } from "./dsl.js";

export type HelperName =
  | "exp"
  | "expm1"
  | "log"
  | "log1p"
  | "sin"
  | "cos"
  | "tanh"
  | "erf"
  | "pow"
  | "fmod"
  | "mod"
  | "toi32"
  | "idiv"
  | "imod"
  | "itdiv"
  | "scalbn"
  | "expdd"
  | "logdd"
  | "tpe"
  | "trig"
  | "vexp"
  | "vexpm1"
  | "vexpm1n"
  | "vlog"
  | "vlog1p"
  | "vtanh";

const SIG: Record<HelperName, readonly [readonly ValType[], readonly ValType[]]> = {
  exp: [["f64"], ["f64"]],
  expm1: [["f64"], ["f64"]],
  log: [["f64"], ["f64"]],
  log1p: [["f64"], ["f64"]],
  sin: [["f64"], ["f64"]],
  cos: [["f64"], ["f64"]],
  tanh: [["f64"], ["f64"]],
  erf: [["f64"], ["f64"]],
  pow: [["f64", "f64"], ["f64"]],
  fmod: [["f64", "f64"], ["f64"]],
  mod: [["f64", "f64"], ["f64"]],
  toi32: [["f64"], ["i32"]],
  idiv: [["i32", "i32"], ["i32"]],
  imod: [["i32", "i32"], ["i32"]],
  itdiv: [["i32", "i32"], ["i32"]],
  scalbn: [["f64", "i32"], ["f64"]],
  expdd: [["f64", "f64"], ["f64"]],
  logdd: [["f64"], ["f64", "f64"]],
  tpe: [["f64", "f64", "f64"], ["f64"]],
  trig: [["f64", "i32"], ["f64"]],
  vexp: [["v128"], ["v128"]],
  vexpm1: [["v128"], ["v128"]],
  vexpm1n: [["v128"], ["v128"]],
  vlog: [["v128"], ["v128"]],
  vlog1p: [["v128"], ["v128"]],
  vtanh: [["v128"], ["v128"]],
};

/** The helpers of one module, declared on first use (with what they call). */
export class Helpers {
  private readonly index = new Map<HelperName, number>();
  private readonly sinImport: number;
  private readonly cosImport: number;

  /** Imports Math.sin/Math.cos (env.sin, env.cos) for huge trig arguments: call before declaring functions. */
  constructor(private readonly m: ModuleBuilder) {
    this.sinImport = m.importFunc("env", "sin", ["f64"], ["f64"]);
    this.cosImport = m.importFunc("env", "cos", ["f64"], ["f64"]);
  }

  get(name: HelperName): number {
    const have = this.index.get(name);
    if (have !== undefined) return have;
    const [params, results] = SIG[name];
    const i = this.m.declare(name, params, results);
    this.index.set(name, i);
    const c = new Code(params, results);
    BUILD[name](c, this);
    this.m.define(i, c);
    return i;
  }

  /** Calls a helper on evaluated arguments. */
  call(name: HelperName, ...args: E[]): E {
    return (c) => call(this.get(name), ...args)(c);
  }

  /** Math.sin / Math.cos imports. */
  imported(which: "sin" | "cos"): number {
    return which === "sin" ? this.sinImport : this.cosImport;
  }
}

type Build = (c: Code, h: Helpers) => void;

const p = get;
const k = F.k;
const { isNaN, bits: bitsOf, exp2i, expField } = F;
const pow2 = (e: number): number => 2 ** e;

/** 1/n! coefficients for exp's Taylor series on |r| ≤ ln2/2 (degree 13: truncation < 4e-18). */
const EXP_POLY = invFactorials(0, 14);
/** expm1(x)/x = Σ x^n/(n+1)!, degree 14 on |x| ≤ ln2/2. */
const EXPM1_POLY = invFactorials(1, 15);

const BUILD: Record<HelperName, Build> = {
  /** y·2^k without overflow or double rounding in the intermediate steps. */
  scalbn: (c) => {
    const [y, ki] = [0, 1];
    seq(
      when(
        I.gtS(p(ki), I.k(1023)),
        seq(
          set(y, F.mul(p(y), k(pow2(1023)))),
          set(ki, I.sub(p(ki), I.k(1023))),
          when(I.gtS(p(ki), I.k(1023)), seq(set(y, F.mul(p(y), k(pow2(1023)))), set(ki, I.sub(p(ki), I.k(1023))))),
          when(I.gtS(p(ki), I.k(1023)), set(ki, I.k(1023))),
        ),
      ),
      when(
        I.ltS(p(ki), I.k(-1022)),
        seq(
          set(y, F.mul(p(y), k(pow2(-969)))),
          set(ki, I.add(p(ki), I.k(969))),
          when(I.ltS(p(ki), I.k(-1022)), seq(set(y, F.mul(p(y), k(pow2(-969)))), set(ki, I.add(p(ki), I.k(969))))),
          when(I.ltS(p(ki), I.k(-1022)), set(ki, I.k(-1022))),
        ),
      ),
      ret(F.mul(p(y), exp2i(p(ki)))),
    )(c);
  },

  /** exp(hi + lo) for a non-NaN hi and |lo| ≪ 1: Cody–Waite reduction by ln 2, Taylor series, scaling. */
  expdd: (c, h) => {
    const [hi, lo] = [0, 1];
    const kf = c.local("f64");
    const r = c.local("f64");
    seq(
      when(F.gt(p(hi), k(709.782712893384)), ret(k(Infinity))),
      when(F.lt(p(hi), k(-745.1332191019412)), ret(k(0))),
      set(kf, F.nearest(F.mul(p(hi), k(LOG2E)))),
      set(r, F.add(F.sub(F.sub(p(hi), F.mul(p(kf), k(LN2_HI))), F.mul(p(kf), k(LN2_LO))), p(lo))),
      ret(h.call("scalbn", F.poly(p(r), EXP_POLY), I.truncF64(p(kf)))),
    )(c);
  },

  exp: (c, h) => seq(when(isNaN(p(0)), ret(p(0))), ret(h.call("expdd", p(0), k(0))))(c),

  expm1: (c, h) => {
    const x = 0;
    const f64 = (): number => c.local("f64");
    const [kf, hi, lo, r, e, two] = [f64(), f64(), f64(), f64(), f64(), f64()];
    const ki = c.local("i32");
    seq(
      when(isNaN(p(x)), ret(p(x))),
      when(F.gt(p(x), k(709.782712893384)), ret(k(Infinity))),
      when(F.lt(p(x), k(-40)), ret(k(-1))),
      when(F.lt(F.abs(p(x)), k(0.34657359027997264)), ret(F.mul(p(x), F.poly(p(x), EXPM1_POLY)))),
      set(kf, F.nearest(F.mul(p(x), k(LOG2E)))),
      set(hi, F.sub(p(x), F.mul(p(kf), k(LN2_HI)))),
      set(lo, F.mul(p(kf), k(LN2_LO))),
      set(r, F.sub(p(hi), p(lo))),
      // expm1(r + corr) ≈ expm1(r) + corr·e^r, corr being what r's rounding dropped
      set(e, F.mul(p(r), F.poly(p(r), EXPM1_POLY))),
      set(e, F.add(p(e), F.mul(F.sub(F.sub(p(hi), p(r)), p(lo)), F.add(k(1), p(e))))),
      set(ki, I.truncF64(p(kf))),
      when(I.gtS(p(ki), I.k(1000)), ret(h.call("scalbn", F.add(k(1), p(e)), p(ki)))),
      set(two, exp2i(p(ki))),
      ret(F.add(F.mul(p(two), p(e)), F.sub(p(two), k(1)))),
    )(c);
  },

  /** log x = e·ln2 + log m, m ∈ [√½, √2): log(1+f) = f − hfsq + s(hfsq + R), s = f/(2+f). */
  log: (c) => {
    const x = 0;
    const f64 = (): number => c.local("f64");
    const [m, f, s, z, hfsq, dk] = [f64(), f64(), f64(), f64(), f64(), f64()];
    const e = c.local("i32");
    seq(
      when(isNaN(p(x)), ret(p(x))),
      when(F.lt(p(x), k(0)), ret(k(NaN))),
      when(F.eq(p(x), k(0)), ret(k(-Infinity))),
      when(F.eq(p(x), k(Infinity)), ret(p(x))),
      set(e, I.k(0)),
      when(F.lt(p(x), k(pow2(-1022))), seq(set(x, F.mul(p(x), k(pow2(54)))), set(e, I.k(-54)))),
      set(e, I.add(p(e), I.sub(expField(p(x)), I.k(1023)))),
      set(m, F.fromBits(L.or(L.and(bitsOf(p(x)), L.k(0xfffffffffffffn)), L.k(0x3ff0000000000000n)))),
      when(F.gt(p(m), k(SQRT2)), seq(set(m, F.mul(p(m), k(0.5))), set(e, I.add(p(e), I.k(1))))),
      set(f, F.sub(p(m), k(1))),
      set(s, F.div(p(f), F.add(k(2), p(f)))),
      set(z, F.mul(p(s), p(s))),
      set(hfsq, F.mul(F.mul(k(0.5), p(f)), p(f))),
      set(dk, F.fromI32(p(e))),
      ret(
        F.sub(
          F.mul(p(dk), k(LN2_HI)),
          F.sub(
            F.sub(
              p(hfsq),
              F.add(F.mul(p(s), F.add(p(hfsq), F.mul(p(z), F.poly(p(z), LOG_POLY)))), F.mul(p(dk), k(LN2_LO))),
            ),
            p(f),
          ),
        ),
      ),
    )(c);
  },

  /** log1p x = log u − ((u − 1) − x)/u with u = 1 + x: the correction restores what 1 + x rounded off. */
  log1p: (c, h) => {
    const x = 0;
    const u = c.local("f64");
    seq(
      when(isNaN(p(x)), ret(p(x))),
      when(F.lt(p(x), k(-1)), ret(k(NaN))),
      when(F.eq(p(x), k(-1)), ret(k(-Infinity))),
      when(F.eq(p(x), k(Infinity)), ret(p(x))),
      set(u, F.add(k(1), p(x))),
      when(F.eq(p(u), k(1)), ret(p(x))),
      ret(F.sub(h.call("log", p(u)), F.div(F.sub(F.sub(p(u), k(1)), p(x)), p(u)))),
    )(c);
  },

  sin: (c, h) => ret(h.call("trig", p(0), I.k(0)))(c),
  cos: (c, h) => ret(h.call("trig", p(0), I.k(1)))(c),
  trig: buildTrig,

  /** tanh x = −t/(t+2), t = expm1(−2|x|) below 1; 1 − 2/(t+2), t = expm1(2|x|) above (fdlibm). */
  tanh: (c, h) => {
    const [x, ax, t] = [0, c.local("f64"), c.local("f64")];
    seq(
      when(isNaN(p(x)), ret(p(x))),
      set(ax, F.abs(p(x))),
      when(F.gt(p(ax), k(22)), ret(F.copysign(k(1), p(x)))),
      when(
        F.lt(p(ax), k(1)),
        seq(set(t, h.call("expm1", F.mul(k(-2), p(ax)))), ret(F.copysign(F.div(F.neg(p(t)), F.add(p(t), k(2))), p(x)))),
      ),
      set(t, h.call("expm1", F.mul(k(2), p(ax)))),
      ret(F.copysign(F.sub(k(1), F.div(k(2), F.add(p(t), k(2)))), p(x))),
    )(c);
  },

  erf: buildErf,
  pow: buildPow,

  /** Exact C fmod (JavaScript %): binary long division by m·2^j, each subtraction exact (Sterbenz). */
  fmod: (c) => {
    const [a, b] = [0, 1];
    const [r, m, t] = [c.local("f64"), c.local("f64"), c.local("f64")];
    seq(
      when(I.or(I.or(isNaN(p(a)), isNaN(p(b))), F.eq(F.abs(p(a)), k(Infinity))), ret(k(NaN))),
      when(F.eq(p(b), k(0)), ret(k(NaN))),
      when(F.eq(F.abs(p(b)), k(Infinity)), ret(p(a))),
      set(r, F.abs(p(a))),
      set(m, F.abs(p(b))),
      when(F.lt(p(r), p(m)), ret(p(a))),
      set(t, p(m)),
      doWhile(set(t, F.add(p(t), p(t))), F.le(F.add(p(t), p(t)), p(r))),
      doWhile(seq(when(F.ge(p(r), p(t)), set(r, F.sub(p(r), p(t)))), set(t, F.mul(p(t), k(0.5)))), F.ge(p(t), p(m))),
      ret(F.copysign(p(r), p(a))),
    )(c);
  },

  /** NumPy mod: the remainder takes the divisor's sign. */
  mod: (c, h) => {
    const r = c.local("f64");
    seq(
      set(r, h.call("fmod", p(0), p(1))),
      when(I.and(F.ne(p(r), k(0)), I.ne(F.lt(p(r), k(0)), F.lt(p(1), k(0)))), set(r, F.add(p(r), p(1)))),
      ret(p(r)),
    )(c);
  },

  /** ToInt32 (what `x | 0` does after truncation): modulo 2^32, NaN and ±Inf give 0. */
  toi32: (c) => {
    const t = c.local("f64");
    seq(
      when(I.eqz(F.lt(F.abs(p(0)), k(Infinity))), ret(I.k(0))),
      set(t, F.trunc(p(0))),
      when(F.lt(F.abs(p(t)), k(2147483648)), ret(I.truncF64(p(t)))),
      set(t, F.sub(p(t), F.mul(F.floor(F.mul(p(t), k(pow2(-32)))), k(pow2(32))))),
      ret(I.wrap((cc) => (p(t)(cc), cc.op("i64.trunc_f64_s")))),
    )(c);
  },

  /** Floor division; 0 for a zero divisor (core/scalar.ts), INT_MIN / -1 wraps. */
  idiv: (c) => {
    const [q, r] = [c.local("i32"), c.local("i32")];
    seq(
      when(I.eqz(p(1)), ret(I.k(0))),
      when(I.eq(p(1), I.k(-1)), ret(I.sub(I.k(0), p(0)))),
      set(q, I.divS(p(0), p(1))),
      set(r, I.remS(p(0), p(1))),
      // a nonzero remainder of the other sign than b: truncation went up, floor goes one lower
      ret(select(I.sub(p(q), I.k(1)), p(q), I.and(I.ne(p(r), I.k(0)), I.ltS(I.xor(p(r), p(1)), I.k(0))))),
    )(c);
  },
  imod: (c) => {
    const r = c.local("i32");
    seq(
      when(I.eqz(p(1)), ret(I.k(0))),
      set(r, I.remS(p(0), p(1))),
      ret(select(I.add(p(r), p(1)), p(r), I.and(I.ne(p(r), I.k(0)), I.ltS(I.xor(p(r), p(1)), I.k(0))))),
    )(c);
  },
  itdiv: (c) =>
    seq(
      when(I.eqz(p(1)), ret(I.k(0))),
      when(I.eq(p(1), I.k(-1)), ret(I.sub(I.k(0), p(0)))),
      ret(I.divS(p(0), p(1))),
    )(c),

  tpe: (c) => {
    const [a, b, pr] = [0, 1, 2];
    const f64 = (): number => c.local("f64");
    const [t, ah, al, bh, bl] = [f64(), f64(), f64(), f64(), f64()];
    seq(
      set(t, F.mul(p(a), k(SPLIT))),
      set(ah, F.sub(p(t), F.sub(p(t), p(a)))),
      set(al, F.sub(p(a), p(ah))),
      set(t, F.mul(p(b), k(SPLIT))),
      set(bh, F.sub(p(t), F.sub(p(t), p(b)))),
      set(bl, F.sub(p(b), p(bh))),
      ret(
        F.add(
          F.add(F.add(F.sub(F.mul(p(ah), p(bh)), p(pr)), F.mul(p(ah), p(bl))), F.mul(p(al), p(bh))),
          F.mul(p(al), p(bl)),
        ),
      ),
    )(c);
  },
  logdd: buildLogdd,
  vexp: buildVexp,
  vexpm1: (c, h) => buildVexpm1(c, h.get("vexp")),
  vlog: buildVlog,
  vlog1p: (c, h) => buildVlog1p(c, h.get("vlog")),
  vexpm1n: (c) => buildVexpm1(c, null),
  vtanh: (c, h) => buildVtanh(c, h.get("vexpm1n")),
};
