// Reduction accumulators for the loop renderer: init before the reduce loops, fold per element,
// finish (combine lanes, store). Semantics of the js backend: sum/prod of float32 accumulate in
// float64 on the scalar path; max propagates NaN and prefers +0 over -0 (Math.max); argmax keeps
// the first maximum and treats NaN as the maximum. On the SIMD paths, float32 sums and products
// accumulate in two f64x2 halves (the same float64 accumulation as the js backend, up to order);
// four-lane max uses pmax (one instruction) and tracks NaN and +0 lanes on the side instead of
// V8's long IEEE f32x4.max sequence.
import type { Kernel } from "../../kernel/ir.js";
import { splat32 } from "./alu-vector.js";
import type { ValType } from "./emit.js";
import type { Plan } from "./plan.js";
import { valType, type ExprEmitter } from "./render-expr.js";

type Mode = "scalar" | "vector";

/** i8x16.shuffle lanes moving bytes 8–15 (float32 lanes 2, 3) to the bottom. */
const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];

export class Reducer {
  private readonly op: "sum" | "prod" | "max" | "argmax";
  private readonly float: boolean;
  private readonly accType: ValType;
  private readonly acc: number;
  private readonly idx: number;
  private readonly r: number;
  private readonly vacc: number;
  /** Lanes 2 and 3 (as f64x2) when float32 sums/products accumulate in float64 (vacc holds lanes 0, 1). */
  private readonly vacc2: number;
  private readonly wide: boolean;
  private readonly nanm: number;
  private readonly pz: number;

  constructor(
    private readonly k: Kernel,
    private readonly p: Plan,
    private readonly x: ExprEmitter,
  ) {
    const c = x.c;
    this.op = k.reduce?.op ?? "sum";
    const body = p.root.dtype;
    this.float = body === "float32" || body === "float64";
    // float32 sums and products accumulate in float64, like the js backend
    this.accType = (this.op === "sum" || this.op === "prod") && body === "float32" ? "f64" : valType(body);
    this.acc = c.local(this.accType);
    this.idx = c.local("i32");
    this.r = c.local("i32");
    this.vacc = c.local("v128");
    this.vacc2 = c.local("v128");
    this.wide = this.accType === "f64" && body === "float32";
    this.nanm = c.local("v128");
    this.pz = c.local("v128");
  }

  private initValue(): number {
    if (this.op === "sum") return 0;
    if (this.op === "prod") return 1;
    return this.float ? -Infinity : -2147483648;
  }

  private initVector(): void {
    const c = this.x.c;
    if (this.wide) {
      c.f64(this.initValue()).v("f64x2.splat").set(this.vacc);
      c.f64(this.initValue()).v("f64x2.splat").set(this.vacc2);
      return;
    }
    splat32(c, this.initValue(), this.p.root.dtype === "float32").set(this.vacc);
    splat32(c, 0, false).set(this.nanm);
    splat32(c, 0, false).set(this.pz);
  }

  init(mode: Mode): void {
    const c = this.x.c;
    if (mode === "vector") return this.initVector();
    c.konst(this.accType, this.initValue()).set(this.acc);
    if (this.op === "argmax") c.i32(0).set(this.idx).i32(0).set(this.r);
    if (this.p.vec === "reduce-inner") this.initVector();
  }

  fold(mode: Mode): void {
    const c = this.x.c;
    const root = this.p.root;
    const f32 = root.dtype === "float32";
    if (mode === "vector" && this.wide) {
      const t = c.local("v128");
      const op = this.op === "sum" ? "f64x2.add" : "f64x2.mul";
      this.x.v(root);
      c.set(t);
      c.get(this.vacc).get(t).v("f64x2.promote_low_f32x4").v(op).set(this.vacc);
      c.get(this.vacc2).get(t).get(t).shuffle(HIGH_HALF).v("f64x2.promote_low_f32x4").v(op).set(this.vacc2);
      return;
    }
    if (mode === "vector") {
      c.get(this.vacc);
      this.x.v(root);
      if (this.op === "sum") c.v(f32 ? "f32x4.add" : "i32x4.add");
      else if (this.op === "prod") c.v(f32 ? "f32x4.mul" : "i32x4.mul");
      else if (!f32) c.v("i32x4.max_s");
      else {
        const t = c.local("v128");
        c.tee(t).v("f32x4.pmax");
        c.get(this.nanm).get(t).get(t).v("f32x4.ne").v("v128.or").set(this.nanm);
        c.get(this.pz).get(t);
        splat32(c, 0, false).v("i32x4.eq").v("v128.or").set(this.pz);
      }
      c.set(this.vacc);
      return;
    }
    const t = c.local(valType(root.dtype));
    this.x.s(root);
    c.set(t);
    this.foldScalar(t, root.dtype === "float32" && this.accType === "f64");
  }

  /** acc ← acc ⊕ (local t). */
  private foldScalar(t: number, promote: boolean): void {
    const c = this.x.c;
    const a = this.accType;
    if (this.op === "argmax") {
      if (this.float) {
        c.get(this.acc)
          .get(this.acc)
          .op(a === "f32" ? "f32.eq" : "f64.eq");
        c.get(t)
          .get(this.acc)
          .op(a === "f32" ? "f32.gt" : "f64.gt");
        c.get(t)
          .get(t)
          .op(a === "f32" ? "f32.ne" : "f64.ne")
          .op("i32.or")
          .op("i32.and");
      } else c.get(t).get(this.acc).op("i32.gt_s");
      c.if().get(t).set(this.acc).get(this.r).set(this.idx).end();
      c.get(this.r).i32(1).op("i32.add").set(this.r);
      return;
    }
    c.get(this.acc).get(t);
    if (promote) c.op("f64.promote_f32");
    if (this.op === "sum") c.op(a === "f32" ? "f32.add" : a === "f64" ? "f64.add" : "i32.add");
    else if (this.op === "prod") c.op(a === "f32" ? "f32.mul" : a === "f64" ? "f64.mul" : "i32.mul");
    else if (this.float) c.op(a === "f32" ? "f32.max" : "f64.max");
    else c.get(this.acc).get(t).op("i32.gt_s").op("select");
    c.set(this.acc);
  }

  /** The vector accumulator with NaN lanes restored and -0 lanes that saw a +0 made +0 (max only). */
  private fixedLanes(): void {
    const c = this.x.c;
    if (this.wide) {
      // four float64 lanes rounded to float32, in order
      c.get(this.vacc).v("f32x4.demote_f64x2_zero").get(this.vacc2).v("f32x4.demote_f64x2_zero");
      c.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
      return;
    }
    if (this.op !== "max" || this.p.root.dtype !== "float32") {
      c.get(this.vacc);
      return;
    }
    const t = c.local("v128");
    // bitselect(a, b, m) = m ? a : b, lane by lane
    splat32(c, 0, true).get(this.vacc).get(this.pz).get(this.vacc);
    splat32(c, 0, true).v("f32x4.eq").v("v128.and").v("v128.bitselect").set(t);
    splat32(c, NaN, true).get(t).get(this.nanm).v("v128.bitselect");
  }

  finish(mode: Mode): void {
    const c = this.x.c;
    const out = this.x.ptr.get(this.p.out.id) as number;
    const d = this.k.outDtype;
    if (mode === "vector") {
      c.get(out);
      this.fixedLanes();
      c.vmem("v128.store");
      return;
    }
    if (this.p.vec === "reduce-inner" && this.wide) {
      const t = c.local("f64");
      for (const [v, lane] of [
        [this.vacc, 0],
        [this.vacc, 1],
        [this.vacc2, 0],
        [this.vacc2, 1],
      ] as const) {
        c.get(v).vlane("f64x2.extract_lane", lane).set(t);
        this.foldScalar(t, false);
      }
    } else if (this.p.vec === "reduce-inner") {
      const lanes = c.local("v128");
      const t = c.local(valType(this.p.root.dtype));
      this.fixedLanes();
      c.set(lanes);
      for (let i = 0; i < 4; i++) {
        c.get(lanes).vlane(this.p.root.dtype === "float32" ? "f32x4.extract_lane" : "i32x4.extract_lane", i);
        c.set(t);
        this.foldScalar(t, this.p.root.dtype === "float32" && this.accType === "f64");
      }
    }
    c.get(out);
    if (this.op === "argmax") c.get(this.idx);
    else {
      c.get(this.acc);
      if (this.accType === "f64" && d === "float32") c.op("f32.demote_f64");
    }
    if (d === "float32") c.mem("f32.store");
    else if (d === "float64") c.mem("f64.store");
    else c.mem("i32.store");
  }
}
