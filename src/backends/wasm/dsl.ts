// Combinators over the function-body builder, so hand-written helpers (the math library, the GEMM
// driver) read as expressions instead of raw stack code. An `E` pushes one value; an `S` pushes none.
import type { BlockType, Code, ValType } from "./emit.js";
import type { Op } from "./opcodes.js";

export type E = (c: Code) => void;
export type S = (c: Code) => void;

type Plain = Parameters<Code["op"]>[0];

const un =
  (op: Plain) =>
  (a: E): E =>
  (c) => {
    a(c);
    c.op(op);
  };
const bin =
  (op: Plain) =>
  (a: E, b: E): E =>
  (c) => {
    a(c);
    b(c);
    c.op(op);
  };

export const get =
  (l: number): E =>
  (c) =>
    c.get(l);
export const set =
  (l: number, e: E): S =>
  (c) => {
    e(c);
    c.set(l);
  };
export const seq =
  (...xs: S[]): S =>
  (c) => {
    for (const x of xs) x(c);
  };
/** `e` evaluated, stored in `l`, and its value kept on the stack. */
export const tee =
  (l: number, e: E): E =>
  (c) => {
    e(c);
    c.tee(l);
  };
export const call =
  (fn: number, ...args: E[]): E =>
  (c) => {
    for (const a of args) a(c);
    c.call(fn);
  };
export const ret =
  (e: E): S =>
  (c) => {
    e(c);
    c.op("return");
  };
export const drop =
  (e: E): S =>
  (c) => {
    e(c);
    c.op("drop");
  };

/** if cond then … [else …] end, as a statement. */
export const when =
  (cond: E, then: S, otherwise?: S): S =>
  (c) => {
    cond(c);
    c.if();
    then(c);
    if (otherwise) {
      c.else();
      otherwise(c);
    }
    c.end();
  };
/** if cond then a else b, as a value of type `t`. */
export const cond =
  (t: BlockType, test: E, a: E, b: E): E =>
  (c) => {
    test(c);
    c.if(t);
    a(c);
    c.else();
    b(c);
    c.end();
  };
/** select(a, b, test): a where test is nonzero, else b; both are evaluated. */
export const select =
  (a: E, b: E, test: E): E =>
  (c) => {
    a(c);
    b(c);
    test(c);
    c.op("select");
  };
/** while (test) body. */
export const whileLoop =
  (test: E, body: S): S =>
  (c) => {
    c.block().loop();
    test(c);
    c.op("i32.eqz");
    c.brIf(1);
    body(c);
    c.br(0);
    c.end().end();
  };
/** do body while (test): the body runs at least once. */
export const doWhile =
  (body: S, test: E): S =>
  (c) => {
    c.loop();
    body(c);
    test(c);
    c.brIf(0);
    c.end();
  };

/** f64 arithmetic. */
export const F = {
  k:
    (v: number): E =>
    (c) =>
      c.f64(v),
  add: bin("f64.add"),
  sub: bin("f64.sub"),
  mul: bin("f64.mul"),
  div: bin("f64.div"),
  min: bin("f64.min"),
  max: bin("f64.max"),
  copysign: bin("f64.copysign"),
  neg: un("f64.neg"),
  abs: un("f64.abs"),
  floor: un("f64.floor"),
  trunc: un("f64.trunc"),
  nearest: un("f64.nearest"),
  sqrt: un("f64.sqrt"),
  eq: bin("f64.eq"),
  ne: bin("f64.ne"),
  lt: bin("f64.lt"),
  gt: bin("f64.gt"),
  le: bin("f64.le"),
  ge: bin("f64.ge"),
  fromI32: un("f64.convert_i32_s"),
  fromBits: un("f64.reinterpret_i64"),
  bits: un("i64.reinterpret_f64"),
  /** x is NaN. */
  isNaN: (x: E): E => bin("f64.ne")(x, x),
  /** 2^k for an i32 k in the normal range, built from its exponent bits. */
  exp2i:
    (ki: E): E =>
    (c) => {
      ki(c);
      c.i32(1023).op("i32.add").op("i64.extend_i32_s").i64(52n).op("i64.shl").op("f64.reinterpret_i64");
    },
  /** The biased exponent field of x, as i32. */
  expField:
    (x: E): E =>
    (c) => {
      x(c);
      c.op("i64.reinterpret_f64").i64(52n).op("i64.shr_u").op("i32.wrap_i64").i32(0x7ff).op("i32.and");
    },
  /** Horner: c0 + x(c1 + x(c2 + …)); `x` is re-evaluated, so pass a local. */
  poly: (x: E, coefs: readonly number[]): E => {
    const n = coefs.length;
    return (c) => {
      c.f64(coefs[n - 1] ?? 0);
      for (let i = n - 2; i >= 0; i--) {
        x(c);
        c.op("f64.mul");
        c.f64(coefs[i] ?? 0);
        c.op("f64.add");
      }
    };
  },
};

/** i32 arithmetic. */
export const I = {
  k:
    (v: number): E =>
    (c) =>
      c.i32(v),
  add: bin("i32.add"),
  sub: bin("i32.sub"),
  mul: bin("i32.mul"),
  and: bin("i32.and"),
  or: bin("i32.or"),
  xor: bin("i32.xor"),
  shl: bin("i32.shl"),
  shrS: bin("i32.shr_s"),
  divS: bin("i32.div_s"),
  remS: bin("i32.rem_s"),
  eq: bin("i32.eq"),
  ne: bin("i32.ne"),
  ltS: bin("i32.lt_s"),
  ltU: bin("i32.lt_u"),
  gtS: bin("i32.gt_s"),
  leS: bin("i32.le_s"),
  geS: bin("i32.ge_s"),
  eqz: un("i32.eqz"),
  truncF64: un("i32.trunc_f64_s"),
  wrap: un("i32.wrap_i64"),
};

/** i64 arithmetic (bit manipulation of doubles). */
export const L = {
  k:
    (v: bigint): E =>
    (c) =>
      c.i64(v),
  and: bin("i64.and"),
  or: bin("i64.or"),
  add: bin("i64.add"),
  shl: bin("i64.shl"),
  shrU: bin("i64.shr_u"),
  fromI32: un("i64.extend_i32_s"),
};

/** A raw instruction applied to evaluated operands (for the few without a named combinator). */
export const raw =
  (op: Exclude<Op, "block" | "loop" | "if" | "br" | "br_if" | "call"> & Plain, ...args: E[]): E =>
  (c) => {
    for (const a of args) a(c);
    c.op(op);
  };

/** A helper function under construction: its Code and named parameter getters. */
export function fn(c: Code): { p: (i: number) => E; local: (t: ValType) => number } {
  return { p: (i) => get(i), local: (t) => c.local(t) };
}
