// The SIMD128 instruction table: every ALU op on four lanes of float32, int32 or bool (bools are
// lane masks, 0 or -1, inside a vector). Same semantics as the scalar table; an op without a vector
// form is an explicit "lanes" entry (the scalar entry applied lane by lane). float64 is never
// vectorized. V8 expands the IEEE-strict f32x4.min/max into long sequences, so max/min use
// compare + bitselect, which is also exactly core/scalar.ts's rule (b on ties, NaN propagates).
import type { AluOp } from "../../core/alu.js";
import type { Code } from "./emit.js";
import type { Ctx } from "./alu-scalar.js";
import type { HelperName } from "./mathlib.js";
import type { SimdOp } from "./opcodes.js";

export type VCls = "float32" | "int32" | "bool";

export type VImpl =
  | { readonly kind: "ops"; readonly ops: readonly SimdOp[] }
  | { readonly kind: "decompose"; readonly emit: (x: Ctx) => void }
  /** A four-lane helper of the module (float32 transcendentals, mathlib-simd.ts). */
  | { readonly kind: "helper"; readonly name: HelperName }
  /** Extract each lane, apply the scalar entry, put the lanes back. */
  | { readonly kind: "lanes" }
  | { readonly kind: "special" };

const ops = (...o: SimdOp[]): VImpl => ({ kind: "ops", ops: o });
const dec = (emit: (x: Ctx) => void): VImpl => ({ kind: "decompose", emit });
const LANES: VImpl = { kind: "lanes" };
const helper = (name: HelperName): VImpl => ({ kind: "helper", name });
const SPECIAL: VImpl = { kind: "special" };

/** A v128 constant with four equal 32-bit lanes. */
export function splat32(c: Code, v: number, float: boolean): Code {
  const d = new DataView(new ArrayBuffer(16));
  for (let i = 0; i < 4; i++) {
    if (float) d.setFloat32(i * 4, v, true);
    else d.setInt32(i * 4, v, true);
  }
  return c.v128(new Uint8Array(d.buffer));
}

function pop2(x: Ctx): [number, number] {
  const [a, b] = [x.scratch("v128"), x.scratch("v128")];
  x.c.set(b).set(a);
  return [a, b];
}
function pop1(x: Ctx): number {
  const a = x.scratch("v128");
  x.c.set(a);
  return a;
}

/** |a| > 0 per lane: JavaScript truthiness of floats as a mask. */
const truthyF = (c: Code): void => {
  c.v("f32x4.abs");
  splat32(c, 0, true).v("f32x4.gt");
};
const truthyI = (c: Code): void => {
  splat32(c, 0, false).v("i32x4.ne");
};

function logic(cls: VCls, both: boolean): VImpl {
  if (cls === "bool") return ops(both ? "v128.and" : "v128.or");
  return dec((x) => {
    const [a, b] = pop2(x);
    const t = cls === "float32" ? truthyF : truthyI;
    x.c.get(a);
    t(x.c);
    x.c.get(b);
    t(x.c);
    x.c.v(both ? "v128.and" : "v128.or");
  });
}

/** a where a > b (a < b) or a is NaN, else b. */
const minmaxF = (isMax: boolean): VImpl =>
  dec((x) => {
    const [a, b] = pop2(x);
    x.c
      .get(a)
      .get(b)
      .get(a)
      .get(b)
      .v(isMax ? "f32x4.gt" : "f32x4.lt");
    x.c.get(a).get(a).v("f32x4.ne").v("v128.or").v("v128.bitselect");
  });

const recipF = dec((x) => {
  const a = pop1(x);
  splat32(x.c, 1, true).get(a).v("f32x4.div");
});
/** 1 where a > 0, -1 where a < 0, else a itself (±0, NaN). */
const signF = dec((x) => {
  const a = pop1(x);
  splat32(x.c, 1, true);
  splat32(x.c, -1, true).get(a).get(a);
  splat32(x.c, 0, true).v("f32x4.lt").v("v128.bitselect");
  x.c.get(a);
  splat32(x.c, 0, true).v("f32x4.gt").v("v128.bitselect");
});
/** (a < 0 mask) − (a > 0 mask): −1 − 0, 0 − (−1), or 0. */
const signI = dec((x) => {
  const a = pop1(x);
  x.c.get(a);
  splat32(x.c, 0, false).v("i32x4.lt_s").get(a);
  splat32(x.c, 0, false).v("i32x4.gt_s").v("i32x4.sub");
});
/** a < b for bools: !a && b. */
const ltB = dec((x) => {
  const [a, b] = pop2(x);
  x.c.get(b).get(a).v("v128.andnot");
});

type Row = { readonly [C in VCls]: VImpl };
const row = (f32: VImpl, i32: VImpl, bool: VImpl = LANES): Row => ({ float32: f32, int32: i32, bool });

/** The vector table, exhaustive over AluOp × lane class. */
export const VECTOR_ALU: { readonly [K in AluOp]: Row } = {
  neg: row(ops("f32x4.neg"), ops("i32x4.neg")),
  recip: row(recipF, LANES),
  exp: row(helper("vexp"), LANES),
  log: row(helper("vlog"), LANES),
  expm1: row(helper("vexpm1"), LANES),
  log1p: row(helper("vlog1p"), LANES),
  sin: row(LANES, LANES),
  cos: row(LANES, LANES),
  sqrt: row(ops("f32x4.sqrt"), LANES),
  tanh: row(helper("vtanh"), LANES),
  erf: row(LANES, LANES),
  // roundps with SSE4.1 (which V8 requires for SIMD): one instruction each
  floor: row(ops("f32x4.floor"), ops()),
  round: row(ops("f32x4.nearest"), ops()),
  abs: row(ops("f32x4.abs"), ops("i32x4.abs")),
  sign: row(signF, signI),
  not: row(
    dec(({ c }) => {
      truthyF(c);
      c.v("v128.not");
    }),
    dec(({ c }) => {
      splat32(c, 0, false).v("i32x4.eq");
    }),
    ops("v128.not"),
  ),
  add: row(ops("f32x4.add"), ops("i32x4.add")),
  sub: row(ops("f32x4.sub"), ops("i32x4.sub")),
  mul: row(ops("f32x4.mul"), ops("i32x4.mul")),
  div: row(ops("f32x4.div"), LANES),
  // floor of the float64 quotient, as in the scalar table
  idiv: row(LANES, LANES),
  mod: row(LANES, LANES),
  pow: row(LANES, LANES),
  max: row(minmaxF(true), ops("i32x4.max_s"), ops("v128.or")),
  min: row(minmaxF(false), ops("i32x4.min_s"), ops("v128.and")),
  cmplt: row(ops("f32x4.lt"), ops("i32x4.lt_s"), ltB),
  cmpeq: row(ops("f32x4.eq"), ops("i32x4.eq"), ops("i32x4.eq")),
  and: row(logic("float32", true), logic("int32", true), logic("bool", true)),
  or: row(logic("float32", false), logic("int32", false), logic("bool", false)),
  where: row(SPECIAL, SPECIAL, SPECIAL),
  cast: row(SPECIAL, SPECIAL, SPECIAL),
};
