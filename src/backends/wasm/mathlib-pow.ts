// pow with JavaScript's special cases, computed as exp(y·log x) with log x carried in double-double
// (logdd) so that the product keeps about 2^-60 absolute accuracy before the exponential.
import { LN2_HI, LN2_LO, LOG_POLY, SQRT2 } from "./consts.js";
import { F, I, L, call, get, ret, select, seq, set, when } from "./dsl.js";
import type { Code } from "./emit.js";
import type { Helpers } from "./mathlib.js";

const p = get;
const k = F.k;
const { isNaN, bits: bitsOf, expField } = F;
const pow2 = (e: number): number => 2 ** e;

/** log x as hi + lo to about 2^-60 absolute (for pow): s = f/(2+f) carried in double-double. */
export function buildLogdd(c: Code, h: Helpers): void {
  const x = 0;
  const f64 = (): number => c.local("f64");
  const [M, FF, Dd, DL, SH, PH, SL] = [f64(), f64(), f64(), f64(), f64(), f64(), f64()];
  const [Z, DK, A, SS, BB, LO] = [f64(), f64(), f64(), f64(), f64(), f64()];
  const e = c.local("i32");
  seq(
    set(e, I.k(0)),
    when(F.lt(p(x), k(pow2(-1022))), seq(set(x, F.mul(p(x), k(pow2(54)))), set(e, I.k(-54)))),
    set(e, I.add(p(e), I.sub(expField(p(x)), I.k(1023)))),
    set(M, F.fromBits(L.or(L.and(bitsOf(p(x)), L.k(0xfffffffffffffn)), L.k(0x3ff0000000000000n)))),
    when(F.gt(p(M), k(SQRT2)), seq(set(M, F.mul(p(M), k(0.5))), set(e, I.add(p(e), I.k(1))))),
    set(FF, F.sub(p(M), k(1))),
    set(Dd, F.add(k(2), p(FF))),
    set(DL, F.sub(p(FF), F.sub(p(Dd), k(2)))),
    set(SH, F.div(p(FF), p(Dd))),
    set(PH, F.mul(p(SH), p(Dd))),
    set(SL, F.div(F.sub(F.sub(F.sub(p(FF), p(PH)), h.call("tpe", p(SH), p(Dd), p(PH))), F.mul(p(SH), p(DL))), p(Dd))),
    set(Z, F.mul(p(SH), p(SH))),
    set(DK, F.fromI32(p(e))),
    set(A, F.mul(p(DK), k(LN2_HI))),
    // two-sum of a and 2·sh
    set(SS, F.add(p(A), F.mul(k(2), p(SH)))),
    set(BB, F.sub(p(SS), p(A))),
    set(
      LO,
      F.add(
        F.add(F.sub(p(A), F.sub(p(SS), p(BB))), F.sub(F.mul(k(2), p(SH)), p(BB))),
        F.add(F.add(F.mul(k(2), p(SL)), F.mul(p(SH), F.mul(p(Z), F.poly(p(Z), LOG_POLY)))), F.mul(p(DK), k(LN2_LO))),
      ),
    ),
    set(A, F.add(p(SS), p(LO))),
    (cc) => {
      p(A)(cc);
      F.sub(p(LO), F.sub(p(A), p(SS)))(cc);
      cc.op("return");
    },
  )(c);
}

/** JavaScript's x ** y: the special cases of the spec, then exp(y·log x) in double-double. */
export function buildPow(c: Code, h: Helpers): void {
  const [x, y] = [0, 1];
  const f64 = (): number => c.local("f64");
  const [ax, sgn, lh, ll, zh, zl] = [f64(), f64(), f64(), f64(), f64(), f64()];
  const [yint, yodd] = [c.local("i32"), c.local("i32")];
  seq(
    when(isNaN(p(y)), ret(p(y))),
    when(F.eq(p(y), k(0)), ret(k(1))),
    when(isNaN(p(x)), ret(p(x))),
    set(ax, F.abs(p(x))),
    when(
      F.eq(F.abs(p(y)), k(Infinity)),
      seq(
        when(F.eq(p(ax), k(1)), ret(k(NaN))),
        ret(select(k(Infinity), k(0), I.eq(F.gt(p(ax), k(1)), F.gt(p(y), k(0))))),
      ),
    ),
    set(yint, F.eq(F.floor(p(y)), p(y))),
    set(yodd, I.and(p(yint), F.ne(F.floor(F.mul(p(y), k(0.5))), F.mul(p(y), k(0.5))))),
    set(sgn, select(k(-1), k(1), I.and(p(yodd), F.lt(F.copysign(k(1), p(x)), k(0))))),
    when(
      I.or(F.eq(p(ax), k(0)), F.eq(p(ax), k(Infinity))),
      ret(F.copysign(select(k(0), k(Infinity), I.eq(F.eq(p(ax), k(0)), F.gt(p(y), k(0)))), p(sgn))),
    ),
    when(I.and(F.lt(p(x), k(0)), I.eqz(p(yint))), ret(k(NaN))),
    when(F.eq(p(ax), k(1)), ret(p(sgn))),
    (cc) => {
      call(h.get("logdd"), p(ax))(cc);
      cc.set(ll);
      cc.set(lh);
    },
    set(zh, F.mul(p(y), p(lh))),
    when(F.gt(F.abs(p(zh)), k(800)), ret(F.copysign(select(k(Infinity), k(0), F.gt(p(zh), k(0))), p(sgn)))),
    set(zl, F.add(h.call("tpe", p(y), p(lh), p(zh)), F.mul(p(y), p(ll)))),
    ret(F.mul(p(sgn), h.call("expdd", p(zh), p(zl)))),
  )(c);
}
