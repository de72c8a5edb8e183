// Compile once, run many times: the optimized, scheduled and memory-planned form of a graph.
// Eager realization compiles and runs once; jit keeps the executable and replays it.
import type { Backend } from "../backends/backend.js";
import { BYTES } from "../core/dtype.js";
import { DisposedError } from "../core/errors.js";
import { contiguousView, type View } from "../core/shape.js";
import type { Node } from "../graph/node.js";
import { optimize, type OptLevel, type OptimizeResult } from "../graph/pipeline.js";
import { planMemory, verifyPlan, type MemoryPlan } from "../kernel/memory.js";
import { VIEW_OPS, schedule, stridedOf, type Step } from "../kernel/schedule.js";
import { opDef } from "../ops/registry.js";
import { tune } from "./autotune.js";
import { allocStorage, type Storage } from "./storage.js";

/**
 * A chain of copy-free views over a value that must be computed anyway: compute the value and
 * return a view of it, rather than running a copy kernel.
 */
function viewOfComputed(r: Node): { base: Node; view: View } | null {
  const chain: Node[] = [];
  let base = r;
  while (VIEW_OPS.has(base.op) && !base.realized) {
    chain.push(base);
    base = base.inputs[0] as Node;
  }
  if (!chain.length || base.realized) return null;
  let view: View | null = contiguousView(base.shape);
  for (let i = chain.length - 1; i >= 0 && view; i--) {
    const n = chain[i] as Node;
    const lower = opDef(n.op).lower;
    view = lower.kind === "expr" && lower.view ? lower.view(view, n.params, n.shape) : null;
  }
  return view ? { base, view } : null;
}

/** Where an output's value comes from. */
type OutputSource = { kind: "step"; node: Node } | { kind: "alias"; base: Node; view: View };

export interface Executable {
  readonly level: OptLevel;
  readonly backend: Backend;
  /** Placeholder leaves bound to the arguments on each run. */
  readonly inputs: readonly Node[];
  readonly outputs: readonly OutputSource[];
  readonly steps: readonly Step[];
  readonly memory: MemoryPlan | undefined;
  /** Kernel variants chosen by autotuning (O3), by step index. */
  readonly variants: ReadonlyMap<number, string>;
  readonly optimized: OptimizeResult;
  /** The graph before the passes (the requested nodes). */
  readonly requested: readonly Node[];
}

export interface CompileOptions {
  /** Input index → true when the plan may take over that input's buffer once it is dead. */
  readonly donate?: ReadonlySet<number>;
}

/** Compiles the graph under `outputs`; `inputs` are leaves whose buffers are given at run time. */
export function compile(
  outputs: readonly Node[],
  inputs: readonly Node[],
  level: OptLevel,
  backend: Backend,
  opts: CompileOptions = {},
): Executable {
  const optimized = optimize(outputs, level);
  const srcs: OutputSource[] = [];
  const toCompute: Node[] = [];
  for (const r of optimized.roots) {
    const sv = stridedOf(r) ?? viewOfComputed(r);
    if (sv) srcs.push({ kind: "alias", base: sv.base, view: sv.view });
    else srcs.push({ kind: "step", node: r });
    const base = sv ? sv.base : r;
    if (!base.realized) toCompute.push(base);
  }
  const plan = toCompute.length
    ? schedule(toCompute, { hasRoutine: (r) => r in backend.routines, fuse: level >= 1 })
    : { steps: [], outputs: [] };
  const computed = new Map(toCompute.map((n, i) => [n, plan.outputs[i] as Node]));
  for (const s of srcs) {
    if (s.kind === "step") s.node = computed.get(s.node) ?? s.node;
    else s.base = computed.get(s.base) ?? s.base;
  }
  let memory: MemoryPlan | undefined;
  if (level >= 2) {
    const donated = new Map<Node, number>();
    inputs.forEach((n, i) => {
      if (opts.donate?.has(i)) donated.set(n, Math.max(1, n.size * BYTES[n.dtype]));
    });
    const keep = new Set(srcs.flatMap((s) => (s.kind === "step" ? [s.node] : [s.base])));
    memory = planMemory(plan.steps, { keep, donated });
    verifyPlan(memory);
  }
  const variants = level >= 3 ? tune(plan.steps, backend) : new Map<number, string>();
  return { level, backend, inputs, outputs: srcs, steps: plan.steps, memory, variants, optimized, requested: outputs };
}

/** Moves a realized node's buffer to `backend` if it lives elsewhere. */
function onBackend(n: Node, backend: Backend): Storage {
  const r = n.realized;
  if (!r) throw new DisposedError(n.op, "a tensor captured by this computation was disposed before it ran");
  const s = r.storage as Storage;
  if (s.backend === backend) return s;
  const moved = allocStorage(backend, s.bytes);
  backend.write(moved.buf, s.backend.read(s.buf, s.bytes));
  s.release();
  n.realized = { storage: moved.retain(), view: r.view };
  return moved;
}

/** Runs `exe` with `args` bound to its inputs; returns each output's storage (retained) and view. */
export function execute(
  exe: Executable,
  args: readonly { storage: Storage; view: View }[],
): { storage: Storage; view: View }[] {
  const { backend, steps } = exe;
  const bound: Node[] = [];
  exe.inputs.forEach((n, i) => {
    const a = args[i];
    if (a && !n.realized) {
      n.realized = { storage: a.storage.retain(), view: a.view };
      bound.push(n);
    }
  });
  const slotStorage = new Map<number, Storage>();
  const owned: Node[] = [];
  try {
    if (exe.memory) {
      for (const iv of exe.memory.intervals) {
        if (iv.def < 0) slotStorage.set(iv.slot, onBackend(iv.node, backend).retain());
      }
    }
    const lastUse = new Map<Node, number>();
    steps.forEach((s, i) => {
      if (s.kind !== "host") for (const a of s.args) lastUse.set(a, i);
    });
    const keep = new Set(exe.outputs.map((o) => (o.kind === "step" ? o.node : o.base)));
    steps.forEach((step, i) => {
      const n = step.node;
      const bytes = n.size * BYTES[n.dtype];
      let out: Storage;
      const slot = exe.memory?.intervals.find((iv) => iv.node === n && iv.def === i)?.slot;
      if (slot !== undefined) {
        const have = slotStorage.get(slot);
        out = have ?? allocStorage(backend, exe.memory?.slots[slot]?.bytes ?? bytes).retain();
        slotStorage.set(slot, out);
      } else {
        out = allocStorage(backend, bytes).retain();
      }
      if (step.kind === "host") {
        const d = step.data();
        backend.write(out.buf, new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
      } else if (step.kind === "kernel") {
        backend.run(
          backend.compile(step.kernel, exe.variants.get(i)),
          out.buf,
          step.args.map((a) => onBackend(a, backend).buf),
        );
      } else {
        const routine = backend.routines[step.routine];
        if (!routine) throw new Error(`${step.routine}: no such routine on ${backend.name}`);
        routine(
          out.buf,
          step.args.map((a) => onBackend(a, backend).buf),
          step.args.map((a) => a.shape),
          n.dtype,
        );
      }
      n.realized = { storage: out.retain(), view: contiguousView(n.shape) };
      owned.push(n);
      if (slot === undefined) out.release();
      // without a plan, free each temporary right after its last reader
      if (!exe.memory) {
        for (const a of step.kind === "host" ? [] : step.args)
          if (lastUse.get(a) === i && !keep.has(a) && owned.includes(a)) drop(a);
        if (!lastUse.has(n) && !keep.has(n)) drop(n);
      }
    });
    return exe.outputs.map((o) => {
      const node = o.kind === "step" ? o.node : o.base;
      const r = node.realized;
      if (!r) throw new DisposedError(node.op, "an input of this computation was disposed before it ran");
      const storage = (r.storage as Storage).retain();
      return { storage, view: o.kind === "step" ? r.view : o.view };
    });
  } finally {
    for (const n of owned) drop(n);
    for (const s of slotStorage.values()) s.release();
    for (const n of bound) drop(n);
  }
}

function drop(n: Node): void {
  const s = n.realized?.storage as Storage | undefined;
  n.realized = undefined;
  s?.release();
}
