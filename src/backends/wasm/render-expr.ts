// Expression emission: a node of the kernel body as scalar wasm (f32, f64, or i32 for int32 and
// bool) or as a v128 of four lanes, using the instruction tables; shared and hoisted values come
// from locals bound by the loop renderer (render.ts).
import type { AluOp } from "../../core/alu.js";
import type { DType } from "../../core/dtype.js";
import { SCALAR_ALU, type Ctx, type Impl } from "./alu-scalar.js";
import { VECTOR_ALU, splat32, type VCls } from "./alu-vector.js";
import type { Code, ValType } from "./emit.js";
import type { Helpers } from "./mathlib.js";
import type { Node } from "./plan.js";

export const valType = (d: DType): ValType => (d === "float32" ? "f32" : d === "float64" ? "f64" : "i32");

/** Ops whose operand class is their first operand's dtype (their result is bool). */
const BY_OPERAND = new Set<AluOp>(["cmplt", "cmpeq", "and", "or", "not"]);

/** Scopes of bound values: node → local, dropped when the loop body that bound them ends. */
class Bindings {
  private readonly map = new Map<Node, number>();
  private readonly scopes: Node[][] = [[]];
  get(n: Node): number | undefined {
    return this.map.get(n);
  }
  set(n: Node, l: number): void {
    this.map.set(n, l);
    this.scopes[this.scopes.length - 1]?.push(n);
  }
  push(): void {
    this.scopes.push([]);
  }
  pop(): void {
    for (const n of this.scopes.pop() ?? []) this.map.delete(n);
  }
}

export class ExprEmitter implements Ctx {
  readonly scalars = new Bindings();
  readonly vectors = new Bindings();
  readonly splats = new Bindings();
  /** Pointer local of each group, by group id. */
  readonly ptr = new Map<number, number>();
  /** Local of each explicit loop variable. */
  readonly vars = new Map<number, number>();

  constructor(
    readonly c: Code,
    readonly h: Helpers,
  ) {}

  scratch(t: ValType): number {
    return this.c.local(t);
  }
  pushScope(): void {
    this.scalars.push();
    this.vectors.push();
    this.splats.push();
  }
  popScope(): void {
    this.scalars.pop();
    this.vectors.pop();
    this.splats.pop();
  }

  /** Pushes the scalar value of `n`. */
  s(n: Node): void {
    const b = this.scalars.get(n);
    if (b !== undefined) {
      this.c.get(b);
      return;
    }
    const e = n.e;
    if (e.k === "const") this.c.konst(valType(e.dtype), e.v);
    else if (e.k === "var") this.c.get(this.vars.get(e.i) ?? -1);
    else if (e.k === "load") this.loadScalar(n);
    else this.aluScalar(n, e.op);
  }

  /** Pushes the v128 value of `n` (a splat when it does not vary across lanes). */
  v(n: Node): void {
    const vb = this.vectors.get(n) ?? this.splats.get(n);
    if (vb !== undefined) {
      this.c.get(vb);
      return;
    }
    const e = n.e;
    if (e.k === "const") {
      splat32(this.c, n.dtype === "bool" ? -e.v : e.v, n.dtype === "float32");
      return;
    }
    if (!n.lane) {
      this.s(n);
      this.splat(n.dtype);
      return;
    }
    if (e.k === "var") {
      this.c.get(this.vars.get(e.i) ?? -1).v("i32x4.splat");
      this.c.v128([0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]).v("i32x4.add");
    } else if (e.k === "load") this.loadVector(n);
    else this.aluVector(n, e.op);
  }

  /** Scalar on the stack → four equal lanes (a bool becomes a 0/-1 mask). */
  splat(d: DType): void {
    if (d === "float32") this.c.v("f32x4.splat");
    else {
      if (d === "bool") this.c.i32(-1).op("i32.mul");
      this.c.v("i32x4.splat");
    }
  }

  private address(n: Node): void {
    const l = n.load;
    if (!l) return;
    this.c.get(this.ptr.get(l.group.id) ?? -1);
    for (const r of l.rest) {
      this.s(r.n);
      const m = Math.imul(r.mul, l.group.bytes);
      if (m !== 1) this.c.i32(m).op("i32.mul");
      this.c.op("i32.add");
    }
  }

  private loadScalar(n: Node): void {
    const l = n.load;
    if (!l) return;
    const t = valType(n.dtype);
    if (l.valid) {
      this.s(l.valid);
      this.c.if(t);
    }
    this.address(n);
    const op =
      n.dtype === "float32"
        ? "f32.load"
        : n.dtype === "float64"
          ? "f64.load"
          : n.dtype === "bool"
            ? "i32.load8_u"
            : "i32.load";
    this.c.mem(op, l.offset);
    if (l.valid) this.c.else().konst(t, 0).end();
  }

  private loadVector(n: Node): void {
    const l = n.load;
    if (!l) return;
    if (l.valid) {
      this.s(l.valid);
      this.c.if("v128");
    }
    this.address(n);
    if (n.dtype === "bool") {
      this.c.vmem("v128.load32_zero", l.offset).v("i16x8.extend_low_i8x16_u").v("i32x4.extend_low_i16x8_u");
      splat32(this.c, 0, false).v("i32x4.ne");
    } else this.c.vmem("v128.load", l.offset);
    if (l.valid) splat32(this.c.else(), 0, false).end();
  }

  private aluScalar(n: Node, op: AluOp): void {
    const [a, b, c] = n.kids;
    if (op === "where" && a && b && c) {
      this.s(b);
      this.s(c);
      this.s(a);
      this.c.op("select");
      return;
    }
    if (op === "cast" && a) {
      this.s(a);
      this.castScalar(a.dtype, n.dtype);
      return;
    }
    const cls = BY_OPERAND.has(op) ? (a?.dtype ?? n.dtype) : n.dtype;
    for (const k of n.kids) this.s(k);
    this.apply(SCALAR_ALU[op][cls], cls, n.kids.length);
    if (n.dtype === "bool" && !BY_OPERAND.has(op) && op !== "max" && op !== "min") this.c.i32(0).op("i32.ne");
  }

  /** Applies a scalar table entry to the operands on the stack. */
  apply(impl: Impl, cls: DType, arity: number): void {
    if (impl.kind === "ops") for (const o of impl.ops) this.c.op(o);
    else if (impl.kind === "helper") this.c.call(this.h.get(impl.name), impl.name);
    else if (impl.kind === "decompose") impl.emit(this, arity);
    else if (impl.kind === "f64") {
      const t = valType(cls);
      const toF64 = (): void => {
        if (t === "f32") this.c.op("f64.promote_f32");
        else if (t === "i32") this.c.op("f64.convert_i32_s");
      };
      const held = [];
      for (let i = 1; i < arity; i++) held.push(this.scratch(t));
      for (let i = held.length - 1; i >= 0; i--) this.c.set(held[i] as number);
      toF64();
      for (const l of held) {
        this.c.get(l);
        toF64();
      }
      this.apply(impl.inner, "float64", arity);
      if (t === "f32") this.c.op("f32.demote_f64");
      else if (cls === "bool")
        this.c.f64(0).op("f64.ne"); // NaN is nonzero: true
      else this.c.call(this.h.get("toi32"), "toi32");
    } else throw new Error("wasm render: where/cast have no table entry");
  }

  /** Converts the scalar on the stack between dtypes, as core/dtype.ts castScalar does. */
  castScalar(from: DType, to: DType): void {
    if (from === to) return;
    const c = this.c;
    if (to === "bool") {
      if (from === "int32") c.i32(0).op("i32.ne");
      else if (from === "float32") c.f32(0).op("f32.ne");
      else c.f64(0).op("f64.ne");
    } else if (to === "float32") c.op(from === "float64" ? "f32.demote_f64" : "f32.convert_i32_s");
    else if (to === "float64") c.op(from === "float32" ? "f64.promote_f32" : "f64.convert_i32_s");
    else if (from !== "bool") {
      // float → int32: truncation, modulo 2^32 beyond the int32 range (the helper), NaN/Inf → 0
      if (from === "float32") c.op("f64.promote_f32");
      const t = this.scratch("f64");
      c.tee(t).op("f64.abs").f64(2147483648).op("f64.lt").if("i32");
      c.get(t).op("i32.trunc_f64_s").else().get(t).call(this.h.get("toi32"), "toi32").end();
    }
  }

  private aluVector(n: Node, op: AluOp): void {
    const [a, b, c] = n.kids;
    if (op === "where" && a && b && c) {
      this.v(b);
      this.v(c);
      this.v(a);
      this.c.v("v128.bitselect");
      return;
    }
    if (op === "cast" && a) {
      this.v(a);
      this.castVector(a.dtype as VCls, n.dtype as VCls);
      return;
    }
    const cls = (BY_OPERAND.has(op) ? (a?.dtype ?? n.dtype) : n.dtype) as VCls;
    for (const k of n.kids) this.v(k);
    const impl = VECTOR_ALU[op][cls];
    if (impl.kind === "ops") for (const o of impl.ops) this.c.v(o);
    else if (impl.kind === "decompose") impl.emit(this);
    else if (impl.kind === "helper") this.c.call(this.h.get(impl.name), impl.name);
    else this.lanes(n.kids.length, cls, n.dtype as VCls, (x) => x.apply(SCALAR_ALU[op][cls], cls, n.kids.length));
  }

  /** Applies a scalar operation lane by lane to `arity` v128 operands on the stack. */
  lanes(arity: number, from: VCls, to: VCls, f: (x: ExprEmitter) => void): void {
    const args = Array.from({ length: arity }, () => this.scratch("v128"));
    for (let i = arity - 1; i >= 0; i--) this.c.set(args[i] as number);
    const res = this.scratch("v128");
    splat32(this.c, 0, false).set(res);
    for (let lane = 0; lane < 4; lane++) {
      this.c.get(res);
      for (const a of args) {
        this.c.get(a);
        if (from === "float32") this.c.vlane("f32x4.extract_lane", lane);
        else this.c.vlane("i32x4.extract_lane", lane);
        if (from === "bool") this.c.i32(1).op("i32.and");
      }
      f(this);
      if (to === "float32") this.c.vlane("f32x4.replace_lane", lane);
      else {
        if (to === "bool") this.c.i32(0).op("i32.ne").i32(-1).op("i32.mul");
        this.c.vlane("i32x4.replace_lane", lane);
      }
      this.c.set(res);
    }
    this.c.get(res);
  }

  private castVector(from: VCls, to: VCls): void {
    if (from === to) return;
    const c = this.c;
    if (to === "bool") {
      if (from === "float32") splat32(c, 0, true).v("f32x4.ne");
      else splat32(c, 0, false).v("i32x4.ne");
    } else if (from === "bool") {
      if (to === "float32") splat32(c, 1, true).v("v128.and");
      else c.v("i32x4.neg");
    } else if (to === "float32") c.v("f32x4.convert_i32x4_s");
    else {
      // saturating truncation is exact inside the int32 range; lanes beyond it wrap like `| 0`
      const x = this.scratch("v128");
      c.tee(x).v("f32x4.abs");
      splat32(c, 2147483648, true).v("f32x4.ge").v("v128.any_true").if("v128");
      c.get(x);
      this.lanes(1, "float32", "int32", (e) => e.castScalar("float32", "int32"));
      c.else().get(x).v("i32x4.trunc_sat_f32x4_s").end();
    }
  }
}
