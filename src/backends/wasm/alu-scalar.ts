// The scalar instruction table: for every ALU op and operand class (f32, f64, i32, bool as 0/1 in
// an i32), the wasm sequence that computes it with the semantics of core/scalar.ts. Operands are
// on the stack in order; each entry consumes them and leaves the result. `where` and `cast` are
// rendered by the caller (they need the operand order / target dtype) and are listed for that.
import type { AluOp } from "../../core/alu.js";
import type { DType } from "../../core/dtype.js";
import type { Code, ValType } from "./emit.js";
import type { HelperName, Helpers } from "./mathlib.js";

export type Cls = DType;

/** What an entry can use besides the stack: scratch locals and the module's helpers. */
export interface Ctx {
  readonly c: Code;
  readonly h: Helpers;
  scratch(t: ValType): number;
}

type PlainOp = Parameters<Code["op"]>[0];

export type Impl =
  /** A fixed instruction sequence. */
  | { readonly kind: "ops"; readonly ops: readonly PlainOp[] }
  /** A call to a helper of the module (math library, integer division). */
  | { readonly kind: "helper"; readonly name: HelperName }
  /** Computed in float64: operands promoted/converted, `inner` run, the result rounded (f32), wrapped like
   * `| 0` (i32) or tested for truthiness (bool). */
  | { readonly kind: "f64"; readonly inner: Impl }
  /** A short custom sequence with scratch locals. */
  | { readonly kind: "decompose"; readonly emit: (x: Ctx, arity: number) => void }
  /** Rendered by the caller: where (operand order) and cast (target dtype). */
  | { readonly kind: "special" };

const ops = (...o: PlainOp[]): Impl => ({ kind: "ops", ops: o });
const helper = (name: HelperName): Impl => ({ kind: "helper", name });
const viaF64 = (inner: Impl): Impl => ({ kind: "f64", inner });
const dec = (emit: (x: Ctx, arity: number) => void): Impl => ({ kind: "decompose", emit });
const SPECIAL: Impl = { kind: "special" };

type F = "f32" | "f64";
const op = <T extends string>(t: F, name: T): PlainOp => `${t}.${name}` as PlainOp;

/** Pops the top `n` operands into scratch locals (last operand on top), returning them in order. */
function pop(x: Ctx, types: readonly ValType[]): number[] {
  const ls = types.map((t) => x.scratch(t));
  for (let i = ls.length - 1; i >= 0; i--) x.c.set(ls[i] as number);
  return ls;
}

/** `not` of a float with JavaScript truthiness (NaN and ±0 are false): !(|a| > 0). */
const falsyF = (t: F): Impl =>
  dec(({ c }) => {
    c.op(op(t, "abs")).konst(t, 0).op(op(t, "gt")).op("i32.eqz");
  });
/** Both or either operand truthy. */
function logic(t: ValType, both: boolean): Impl {
  return dec((x) => {
    const [a, b] = pop(x, [t, t]) as [number, number];
    const truthy = (l: number): void => {
      x.c.get(l);
      if (t === "f32" || t === "f64") x.c.op(op(t, "abs")).konst(t, 0).op(op(t, "gt"));
      else x.c.i32(0).op("i32.ne");
    };
    truthy(a);
    truthy(b);
    x.c.op(both ? "i32.and" : "i32.or");
  });
}

/** max/min as core/scalar.ts: NaN if either is NaN, else a when a > b (a < b), else b. */
function minmaxF(t: F, isMax: boolean): Impl {
  return dec((x) => {
    const [a, b] = pop(x, [t, t]) as [number, number];
    x.c
      .get(a)
      .get(b)
      .get(a)
      .get(b)
      .op(op(t, isMax ? "gt" : "lt"));
    x.c.get(a).get(a).op(op(t, "ne")).op("i32.or").op("select");
  });
}
function minmaxI(isMax: boolean): Impl {
  return dec((x) => {
    const [a, b] = pop(x, ["i32", "i32"]) as [number, number];
    x.c
      .get(a)
      .get(b)
      .get(a)
      .get(b)
      .op(isMax ? "i32.gt_s" : "i32.lt_s")
      .op("select");
  });
}
/** sign: 1, -1, or the operand itself (±0, NaN). */
function signF(t: F): Impl {
  return dec((x) => {
    const [a] = pop(x, [t]) as [number];
    x.c.konst(t, 1).konst(t, -1).get(a).get(a).konst(t, 0).op(op(t, "lt")).op("select");
    x.c.get(a).konst(t, 0).op(op(t, "gt")).op("select");
  });
}
const signI = dec((x) => {
  const [a] = pop(x, ["i32"]) as [number];
  x.c.get(a).i32(0).op("i32.gt_s").get(a).i32(0).op("i32.lt_s").op("i32.sub");
});
const absI = dec((x) => {
  const [a] = pop(x, ["i32"]) as [number];
  x.c.get(a).i32(0).get(a).op("i32.sub").get(a).i32(0).op("i32.ge_s").op("select");
});
const negI = dec(({ c }) => {
  c.i32(-1).op("i32.mul");
});
function recipF(t: F): Impl {
  return dec((x) => {
    const [a] = pop(x, [t]) as [number];
    x.c.konst(t, 1).get(a).op(op(t, "div"));
  });
}
/** Floor division of floats: 0 for a zero divisor, else floor(a / b). */
function idivF(t: F): Impl {
  return dec((x) => {
    const [a, b] = pop(x, [t, t]) as [number, number];
    x.c.konst(t, 0).get(a).get(b).op(op(t, "div")).op(op(t, "floor"));
    x.c.get(b).konst(t, 0).op(op(t, "eq")).op("select");
  });
}

/** One row per operand class. Entries that use float math on integers compute in f64 and wrap like `| 0`;
 * bool rows reuse the i32 entries (the emitter renormalizes a bool result to 0/1). */
type Row = { readonly [C in Cls]: Impl };
const float = (f64: Impl): Row => ({ float32: viaF64(f64), float64: f64, int32: viaF64(f64), bool: viaF64(f64) });
const arith = (f32: Impl, f64: Impl, i32: Impl, bool = i32): Row => ({ float32: f32, float64: f64, int32: i32, bool });

/** The scalar table, exhaustive over AluOp × dtype class. */
export const SCALAR_ALU: { readonly [K in AluOp]: Row } = {
  neg: arith(ops("f32.neg"), ops("f64.neg"), negI),
  recip: arith(recipF("f32"), recipF("f64"), viaF64(recipF("f64"))),
  exp: float(helper("exp")),
  log: float(helper("log")),
  expm1: float(helper("expm1")),
  log1p: float(helper("log1p")),
  sin: float(helper("sin")),
  cos: float(helper("cos")),
  sqrt: arith(ops("f32.sqrt"), ops("f64.sqrt"), viaF64(ops("f64.sqrt"))),
  tanh: float(helper("tanh")),
  erf: float(helper("erf")),
  floor: arith(ops("f32.floor"), ops("f64.floor"), ops()),
  round: arith(ops("f32.nearest"), ops("f64.nearest"), ops()),
  abs: arith(ops("f32.abs"), ops("f64.abs"), absI),
  sign: arith(signF("f32"), signF("f64"), signI),
  not: { float32: falsyF("f32"), float64: falsyF("f64"), int32: ops("i32.eqz"), bool: ops("i32.eqz") },
  add: arith(ops("f32.add"), ops("f64.add"), ops("i32.add")),
  sub: arith(ops("f32.sub"), ops("f64.sub"), ops("i32.sub")),
  mul: arith(ops("f32.mul"), ops("f64.mul"), ops("i32.mul")),
  div: arith(ops("f32.div"), ops("f64.div"), helper("itdiv"), viaF64(ops("f64.div"))),
  // floor of the float64 quotient (a float32 quotient could round up to the next integer first)
  idiv: arith(viaF64(idivF("f64")), idivF("f64"), helper("idiv")),
  mod: arith(viaF64(helper("mod")), helper("mod"), helper("imod")),
  pow: float(helper("pow")),
  max: arith(minmaxF("f32", true), minmaxF("f64", true), minmaxI(true)),
  min: arith(minmaxF("f32", false), minmaxF("f64", false), minmaxI(false)),
  cmplt: { float32: ops("f32.lt"), float64: ops("f64.lt"), int32: ops("i32.lt_s"), bool: ops("i32.lt_u") },
  cmpeq: { float32: ops("f32.eq"), float64: ops("f64.eq"), int32: ops("i32.eq"), bool: ops("i32.eq") },
  and: { float32: logic("f32", true), float64: logic("f64", true), int32: logic("i32", true), bool: ops("i32.and") },
  or: { float32: logic("f32", false), float64: logic("f64", false), int32: logic("i32", false), bool: ops("i32.or") },
  where: { float32: SPECIAL, float64: SPECIAL, int32: SPECIAL, bool: SPECIAL },
  cast: { float32: SPECIAL, float64: SPECIAL, int32: SPECIAL, bool: SPECIAL },
};
