// Kernel IR → WebAssembly module bytes (pure). One exported function `kernel(out, in0, in1, …)`
// taking byte offsets into the imported memory. Loops run over the (merged) axes with a pointer per
// group of loads that each loop bumps by a constant, values are hoisted to the outermost loop they
// vary with, and one level can run four lanes at a time (SIMD128) with a scalar tail.
import { REDUCE_INIT, type Kernel } from "../../kernel/ir.js";
import { Code, ModuleBuilder } from "./emit.js";
import { Helpers } from "./mathlib.js";
import { coefOf, planKernel, type Node, type Plan } from "./plan.js";
import { ExprEmitter, valType } from "./render-expr.js";
import { Reducer } from "./render-reduce.js";

export interface RenderOptions {
  /** Use SIMD128 where the kernel allows (default true). */
  readonly simd?: boolean;
  /** Keep instruction text for render() / explain(). */
  readonly trace?: boolean;
}

export interface Rendered {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly plan: Plan | null;
  readonly text: readonly string[];
}

type Mode = "scalar" | "vector";

/** Renders a kernel as a module importing `env.mem` (and `env.sin`/`env.cos` for huge trig arguments). */
export function renderKernel(k: Kernel, opts: RenderOptions = {}): Rendered {
  const m = new ModuleBuilder();
  m.importMemory("env", "mem", 0);
  const h = new Helpers(m);
  const params = Array.from({ length: 1 + k.inputs.length }, () => "i32" as const);
  const fi = m.declare("kernel", params);
  const c = new Code(params, [], opts.trace ?? false);
  const total = k.outShape.reduce((a, b) => a * b, 1);
  let plan: Plan | null = null;
  if (total > 0) {
    if (k.reduce && k.reduce.sizes.some((s) => s === 0)) fillInit(c, k, total);
    else {
      plan = planKernel(k, opts.simd ?? true);
      new LoopRenderer(k, plan, new ExprEmitter(c, h)).render();
    }
  }
  m.define(fi, c).export("kernel", fi);
  return { bytes: m.bytes(), plan, text: c.text ?? [] };
}

/** An empty reduction: every output is the reduction's initial value, as the js backend stores it. */
function fillInit(c: Code, k: Kernel, total: number): void {
  const op = k.reduce?.op ?? "sum";
  const v = op === "argmax" ? 0 : REDUCE_INIT[op];
  const bytes = k.outDtype === "float64" ? 8 : k.outDtype === "bool" ? 1 : 4;
  const i = c.local("i32");
  c.loop();
  c.get(0).get(i).i32(bytes).op("i32.mul").op("i32.add");
  if (k.outDtype === "float32") c.f32(v).mem("f32.store");
  else if (k.outDtype === "float64") c.f64(v).mem("f64.store");
  else if (k.outDtype === "int32") c.i32(Number.isFinite(v) ? v : 0).mem("i32.store");
  else c.i32(v ? 1 : 0).mem("i32.store8");
  c.get(i).i32(1).op("i32.add").tee(i).i32(total).op("i32.lt_u").brIf(0).end();
}

class LoopRenderer {
  private readonly counters: number[];
  private readonly uses = new Map<Node, number>();
  private readonly last: number;
  private readonly red: Reducer | undefined;

  constructor(
    private readonly k: Kernel,
    private readonly p: Plan,
    private readonly x: ExprEmitter,
  ) {
    this.counters = p.levels.map(() => x.c.local("i32"));
    this.last = p.levels.length - 1;
    for (const n of p.nodes) for (const kid of n.kids) this.uses.set(kid, (this.uses.get(kid) ?? 0) + 1);
    this.uses.set(p.root, (this.uses.get(p.root) ?? 0) + 1);
    p.levels.forEach((l, i) => {
      const v = l.vars[0];
      if (l.vars.length === 1 && v !== undefined && p.explicit.has(v)) x.vars.set(v, this.counters[i] as number);
    });
    this.red = k.reduce ? new Reducer(k, p, x) : undefined;
  }

  render(): void {
    const c = this.x.c;
    for (const g of [...this.p.groups, this.p.out]) {
      const l = c.local("i32");
      this.x.ptr.set(g.id, l);
      c.get(g.buf + 1)
        .i32(Math.imul(g.c0, g.bytes))
        .op("i32.add")
        .set(l);
    }
    this.prelude(-1, "scalar");
    this.region(0, "scalar");
  }

  /** The code run once per iteration of level ℓ-1 (ℓ = 0: once). */
  private region(l: number, mode: Mode): void {
    const atAcc = this.red && l === this.p.outLevels;
    if (atAcc) this.red?.init(mode);
    if (l > this.last) this.innermost(mode);
    else this.level(l, mode);
    if (atAcc) this.red?.finish(mode);
  }

  private level(l: number, mode: Mode): void {
    const c = this.x.c;
    const lev = this.p.levels[l];
    const cnt = this.counters[l] as number;
    if (!lev) return;
    const loop = (step: number, end: number, m: Mode): void => {
      c.loop();
      this.x.pushScope();
      this.prelude(l, m);
      this.region(l + 1, m);
      this.x.popScope();
      this.advance(l, step);
      c.get(cnt).i32(step).op("i32.add").tee(cnt).i32(end).op("i32.lt_u").brIf(0).end();
    };
    c.i32(0).set(cnt);
    if (l === this.p.vecLevel && mode === "scalar") {
      const nv = lev.size - (lev.size % 4);
      if (nv > 0) loop(4, nv, "vector");
      if (nv < lev.size) loop(1, lev.size, "scalar");
    } else loop(1, lev.size, mode);
  }

  /** Bumps each pointer after one iteration of level ℓ (of `step` elements), undoing the inner level's sweep. */
  private advance(l: number, step: number): void {
    const lev = this.p.levels[l];
    const inner = this.p.levels[l + 1];
    if (!lev) return;
    const c = this.x.c;
    for (const g of [...this.p.groups, this.p.out]) {
      const d =
        Math.imul(step * coefOf(g, lev), g.bytes) - (inner ? Math.imul(inner.size * coefOf(g, inner), g.bytes) : 0);
      if (d === 0) continue;
      const ptr = this.x.ptr.get(g.id) as number;
      c.get(ptr).i32(d).op("i32.add").set(ptr);
    }
  }

  /** Binds the values that first vary at level ℓ, before the loops inside it (the innermost level inlines). */
  private prelude(l: number, mode: Mode): void {
    if (l === this.last) return;
    for (const n of this.p.nodes) if (n.level === l) this.bind(n, mode, true);
  }

  /** Computes `n` into a local (vector when it varies across lanes in vector mode) and pre-splats it if needed. */
  private bind(n: Node, mode: Mode, hoist: boolean): void {
    const e = n.e;
    const trivial = e.k === "const" || e.k === "var";
    const vec = mode === "vector" && n.lane;
    if (!trivial || (hoist && e.k === "var" && mode === "vector")) {
      if (vec) {
        if (this.x.vectors.get(n) === undefined) {
          this.x.v(n);
          const t = this.x.c.local("v128");
          this.x.c.set(t);
          this.x.vectors.set(n, t);
        }
      } else if (!trivial && this.x.scalars.get(n) === undefined) {
        this.x.s(n);
        const t = this.x.c.local(valType(n.dtype));
        this.x.c.set(t);
        this.x.scalars.set(n, t);
      }
    }
    if (mode === "vector" && !n.lane && e.k !== "const" && n.parents.some((q) => q.lane)) {
      if (this.x.splats.get(n) === undefined) {
        this.x.s(n);
        this.x.splat(n.dtype);
        const t = this.x.c.local("v128");
        this.x.c.set(t);
        this.x.splats.set(n, t);
      }
    }
  }

  /** The body at the innermost level: shared values bound first, then the root stored or folded. */
  private innermost(mode: Mode): void {
    this.x.pushScope();
    for (const n of this.p.nodes) {
      if (n.level < this.last && this.last >= 0) continue;
      if ((this.uses.get(n) ?? 0) > 1) this.bind(n, mode, false);
    }
    if (this.red) this.red.fold(mode);
    else this.store(mode);
    this.x.popScope();
  }

  private store(mode: Mode): void {
    const c = this.x.c;
    const root = this.p.root;
    c.get(this.x.ptr.get(this.p.out.id) as number);
    const d = this.k.outDtype;
    if (mode === "vector") {
      this.x.v(root);
      if (d === "bool") {
        const t = c.local("v128");
        c.v("i32x4.neg").tee(t).get(t).v("i16x8.narrow_i32x4_u").tee(t).get(t).v("i8x16.narrow_i16x8_u");
        c.vmemLane("v128.store32_lane", 0);
      } else c.vmem("v128.store");
      return;
    }
    this.x.s(root);
    if (d === "float32") c.mem("f32.store");
    else if (d === "float64") c.mem("f64.store");
    else if (d === "int32") c.mem("i32.store");
    else c.i32(0).op("i32.ne").mem("i32.store8");
  }
}
