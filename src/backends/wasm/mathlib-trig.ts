// sin/cos (Cody–Waite reduction by π/2 in 33-bit pieces, as fdlibm's medium case, then Taylor
// kernels on |y| ≤ π/4) and erf (Kummer's positive series, erfc's continued fraction above 2.5).
import {
  INV_PIO2,
  PIO2_1,
  PIO2_1T,
  PIO2_2,
  PIO2_2T,
  PIO2_3,
  PIO2_3T,
  SPLIT,
  TRIG_REDUCE_MAX,
  TWO_OVER_SQRT_PI,
  invFactorials,
} from "./consts.js";
import { F, I, call, cond, doWhile, get, ret, select, seq, set, when, type E, type S } from "./dsl.js";
import type { Code } from "./emit.js";
import type { Helpers } from "./mathlib.js";

const p = get;
const k = F.k;
const { isNaN, expField } = F;
const pow2 = (e: number): number => 2 ** e;

/** sin(y) = y + y·z·PS(z), z = y², |y| ≤ π/4. */
const SIN_POLY = Array.from({ length: 8 }, (_, i) => (i % 2 ? 1 : -1) * (invFactorials(3 + 2 * i, 1)[0] ?? 0));
/** cos(y) = 1 − z/2 + z²·PC(z). */
const COS_POLY = Array.from({ length: 8 }, (_, i) => (i % 2 ? -1 : 1) * (invFactorials(4 + 2 * i, 1)[0] ?? 0));

/** sin (q = 0) or cos (q = 1): fdlibm's medium Cody–Waite reduction by π/2, then Taylor kernels. */
export function buildTrig(c: Code, h: Helpers): void {
  const [X, q] = [0, 1];
  const f64 = (): number => c.local("f64");
  const [AX, FN, R, W, Y0, Y1, T, Z, V] = [f64(), f64(), f64(), f64(), f64(), f64(), f64(), f64(), f64()];
  const [n, j] = [c.local("i32"), c.local("i32")];
  const gap = (): E => I.sub(p(j), expField(p(Y0)));
  const step = (pc: number, pt: number): S =>
    seq(
      set(T, p(R)),
      set(W, F.mul(p(FN), k(pc))),
      set(R, F.sub(p(T), p(W))),
      set(W, F.sub(F.mul(p(FN), k(pt)), F.sub(F.sub(p(T), p(R)), p(W)))),
      set(Y0, F.sub(p(R), p(W))),
    );
  seq(
    when(I.eqz(F.lt(F.abs(p(X)), k(Infinity))), ret(F.sub(p(X), p(X)))),
    set(AX, F.abs(p(X))),
    when(
      F.ge(p(AX), k(TRIG_REDUCE_MAX)),
      ret(cond("f64", p(q), call(h.imported("cos"), p(X)), call(h.imported("sin"), p(X)))),
    ),
    when(F.lt(p(AX), k(pow2(-27))), ret(select(k(1), p(X), p(q)))),
    when(
      F.lt(p(AX), k(Math.PI / 4)),
      seq(set(n, I.k(0)), set(Y0, p(X)), set(Y1, k(0))),
      seq(
        set(FN, F.nearest(F.mul(p(X), k(INV_PIO2)))),
        set(R, F.sub(p(X), F.mul(p(FN), k(PIO2_1)))),
        set(W, F.mul(p(FN), k(PIO2_1T))),
        set(Y0, F.sub(p(R), p(W))),
        set(j, expField(p(X))),
        when(I.gtS(gap(), I.k(16)), seq(step(PIO2_2, PIO2_2T), when(I.gtS(gap(), I.k(49)), step(PIO2_3, PIO2_3T)))),
        set(Y1, F.sub(F.sub(p(R), p(Y0)), p(W))),
        set(n, I.truncF64(p(FN))),
      ),
    ),
    set(n, I.and(I.add(p(n), p(q)), I.k(3))),
    set(Z, F.mul(p(Y0), p(Y0))),
    when(
      I.and(p(n), I.k(1)),
      // cos(y0 + y1) ≈ w + ((1 − w) − z/2) + z²·PC(z) − y0·y1, w = 1 − z/2 (fdlibm's compensation)
      seq(
        set(V, F.mul(k(0.5), p(Z))),
        set(W, F.sub(k(1), p(V))),
        set(
          V,
          F.add(
            p(W),
            F.add(
              F.sub(F.sub(k(1), p(W)), p(V)),
              F.sub(F.mul(F.mul(p(Z), p(Z)), F.poly(p(Z), COS_POLY)), F.mul(p(Y0), p(Y1))),
            ),
          ),
        ),
      ),
      // sin(y0 + y1) ≈ y0 + (y0·z·PS(z) + y1·(1 − z/2))
      set(
        V,
        F.add(
          p(Y0),
          F.add(F.mul(F.mul(p(Y0), p(Z)), F.poly(p(Z), SIN_POLY)), F.mul(p(Y1), F.sub(k(1), F.mul(k(0.5), p(Z))))),
        ),
      ),
    ),
    ret(select(F.neg(p(V)), p(V), I.and(p(n), I.k(2)))),
  )(c);
}

/** erf: Kummer's series (all terms positive) below 2.5, erfc's continued fraction (Lentz) above. */
export function buildErf(c: Code, h: Helpers): void {
  const x = 0;
  const f64 = (): number => c.local("f64");
  const [ax, tt, term, sum, d, ah, al] = [f64(), f64(), f64(), f64(), f64(), f64(), f64()];
  const [hh, hl, ex, f, C, D, delta] = [f64(), f64(), f64(), f64(), f64(), f64(), f64()];
  const it = c.local("i32");
  seq(
    when(isNaN(p(x)), ret(p(x))),
    set(ax, F.abs(p(x))),
    when(F.ge(p(ax), k(6)), ret(F.copysign(k(1), p(x)))),
    // e^{-x²} with x² = hh + hl exactly (Veltkamp split)
    set(ah, F.mul(p(ax), k(SPLIT))),
    set(ah, F.sub(p(ah), F.sub(p(ah), p(ax)))),
    set(al, F.sub(p(ax), p(ah))),
    set(hh, F.mul(p(ax), p(ax))),
    set(hl, F.add(F.add(F.sub(F.mul(p(ah), p(ah)), p(hh)), F.mul(F.mul(k(2), p(ah)), p(al))), F.mul(p(al), p(al)))),
    set(ex, h.call("expdd", F.neg(p(hh)), F.neg(p(hl)))),
    when(
      F.lt(p(ax), k(2.5)),
      // erf x = 2/√π · x · e^{−x²} · Σ (2x²)^n / (2n+1)!!
      seq(
        set(tt, F.mul(k(2), p(hh))),
        set(term, k(1)),
        set(sum, k(1)),
        set(d, k(1)),
        doWhile(
          seq(
            set(d, F.add(p(d), k(2))),
            set(term, F.div(F.mul(p(term), p(tt)), p(d))),
            set(sum, F.add(p(sum), p(term))),
          ),
          F.gt(p(term), F.mul(p(sum), k(1e-17))),
        ),
        ret(F.copysign(F.mul(F.mul(F.mul(k(TWO_OVER_SQRT_PI), p(ax)), p(ex)), p(sum)), p(x))),
      ),
    ),
    // erfc x = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
    set(f, p(ax)),
    set(C, p(ax)),
    set(D, k(0)),
    set(it, I.k(1)),
    doWhile(
      seq(
        set(D, F.add(p(ax), F.mul(F.mul(k(0.5), F.fromI32(p(it))), p(D)))),
        set(D, F.div(k(1), p(D))),
        set(C, F.add(p(ax), F.div(F.mul(k(0.5), F.fromI32(p(it))), p(C)))),
        set(delta, F.mul(p(C), p(D))),
        set(f, F.mul(p(f), p(delta))),
        set(it, I.add(p(it), I.k(1))),
      ),
      I.and(F.ge(F.abs(F.sub(p(delta), k(1))), k(1e-16)), I.ltS(p(it), I.k(200))),
    ),
    ret(F.copysign(F.sub(k(1), F.div(F.mul(p(ex), k(TWO_OVER_SQRT_PI / 2)), p(f))), p(x))),
  )(c);
}
