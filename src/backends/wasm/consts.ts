// Constants of the math library, derived exactly (with BigInt) where a split into parts matters:
// π/2 in 33-bit pieces for Cody–Waite argument reduction, ln 2 in a short high part and the rest.

/** 256 fraction bits of π in hex (the Blowfish P-array digits). */
const PI_FRAC = "243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89";
/** π/2 as an integer scaled by 2^SCALE. */
const SCALE = 257;
const PIO2 = (3n << 256n) | BigInt(`0x${PI_FRAC}`);

const bitLength = (v: bigint): number => v.toString(2).length;

/** The top `bits` significant bits of v (as an integer of the same scale) and what remains. */
function top(v: bigint, bits: number): [bigint, bigint] {
  const drop = BigInt(Math.max(0, bitLength(v) - bits));
  const hi = (v >> drop) << drop;
  return [hi, v - hi];
}

/** v / 2^SCALE rounded to a double (Number(bigint) rounds to nearest; the scaling is exact). */
const toDouble = (v: bigint): number => Number(v) * 2 ** -SCALE;

const [p1, r1] = top(PIO2, 33);
const [p2, r2] = top(r1, 33);
const [p3, r3] = top(r2, 33);

/** π/2 = PIO2_1 + PIO2_2 + PIO2_3 + PIO2_3T, each of the first three with 33 significant bits. */
export const PIO2_1 = toDouble(p1);
export const PIO2_1T = toDouble(r1);
export const PIO2_2 = toDouble(p2);
export const PIO2_2T = toDouble(r2);
export const PIO2_3 = toDouble(p3);
export const PIO2_3T = toDouble(r3);
export const INV_PIO2 = 2 / Math.PI;
/** Beyond 2^20·π/2 the 33-bit pieces no longer give exact products n·PIO2_k. */
export const TRIG_REDUCE_MAX = 2 ** 20 * (Math.PI / 2);

/** ln 2 = LN2_HI + LN2_LO with LN2_HI's low 32 mantissa bits zero, so k·LN2_HI is exact for |k| < 2^21. */
export const LN2_HI = (() => {
  const d = new DataView(new ArrayBuffer(8));
  d.setFloat64(0, Math.LN2);
  d.setUint32(4, 0);
  return d.getFloat64(0);
})();
/** ln 2 − Math.LN2 (the low half of ln 2 in double-double) added back to the part LN2_HI dropped. */
export const LN2_LO = Math.LN2 - LN2_HI + 2.3190468138462996e-17;
export const LOG2E = Math.LOG2E;
export const SQRT2 = Math.SQRT2;
/** 2/√π */
export const TWO_OVER_SQRT_PI = 1.1283791670955126;
/** Veltkamp splitter 2^27 + 1. */
export const SPLIT = 134217729;

/** 1/n! for n = from … from+count-1. */
export function invFactorials(from: number, count: number): number[] {
  const out: number[] = [];
  let f = 1;
  for (let i = 2; i < from; i++) f *= i;
  for (let n = from; n < from + count; n++) {
    if (n >= 2) f *= n;
    out.push(1 / f);
  }
  return out;
}

/** R(z) = Σ_{n≥1} 2 z^n/(2n+1) / z, for log(1+f) = f − hfsq + s(hfsq + R), z = s² ≤ 0.0295. */
export const LOG_POLY = Array.from({ length: 10 }, (_, i) => 2 / (2 * i + 3));
