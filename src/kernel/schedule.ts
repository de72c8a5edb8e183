// Scheduling: turns the unrealized part of a graph into steps. Elementwise ops and views are fused
// into their consumers (inlined into one expression); reductions, routines, host sources, values
// used more than once and the requested outputs get buffers of their own.
import { alu, cnst, idx as loopVar, type Expr } from "../core/alu.js";
import type { TypedArray } from "../core/dtype.js";
import { contiguousView, type View } from "../core/shape.js";
import { build, graphBuilder, toposort, type Node } from "../graph/node.js";
import type { LowerCtx, OpDef } from "../ops/def.js";
import { opDef } from "../ops/registry.js";
import { exprKey, type Kernel } from "./ir.js";

export type Step =
  | {
      readonly kind: "kernel";
      readonly node: Node;
      readonly kernel: Kernel;
      readonly args: readonly Node[];
      readonly fused: readonly Node[];
    }
  | { readonly kind: "routine"; readonly node: Node; readonly routine: string; readonly args: readonly Node[] }
  | { readonly kind: "host"; readonly node: Node; readonly data: () => TypedArray };

export interface Schedule {
  readonly steps: readonly Step[];
  /** The node computed for each requested output (a routine decomposition may have replaced it). */
  readonly outputs: readonly Node[];
}

/** Ops that only re-index their input (and can be copy-free strided views). */
export const VIEW_OPS: ReadonlySet<string> = new Set(["reshape", "permute", "expand", "slice", "flip"]);
const isRealized = (n: Node): boolean => n.realized !== undefined;

/** The strided view of `n` over a realized base, if `n` is a chain of copy-free views of one. */
export function stridedOf(n: Node): { base: Node; view: View } | null {
  if (n.realized) return { base: n, view: n.realized.view };
  if (!VIEW_OPS.has(n.op)) return null;
  const lower = opDef(n.op).lower;
  const inner = n.inputs[0] ? stridedOf(n.inputs[0]) : null;
  if (!inner || lower.kind !== "expr" || !lower.view) return null;
  const v = lower.view(inner.view, n.params, n.shape);
  return v ? { base: inner.base, view: v } : null;
}

/** Largest inlined expression (in ALU ops) that is recomputed at each use rather than stored. */
const RECOMPUTE_LIMIT = 8;

/** Largest expression recomputed for every copy of a broadcast instead of being stored once. */
const BROADCAST_RECOMPUTE_LIMIT = 3;

/** ALU ops an inlined copy of `n` would cost (views and constants are free). */
function inlineCost(n: Node, own: ReadonlySet<Node>, budget = RECOMPUTE_LIMIT + 1): number {
  if (isRealized(n) || own.has(n) || n.op === "full" || n.op === "iota") return 0;
  if (opDef(n.op).lower.kind !== "expr" || n.op === "gather") return budget;
  let cost = VIEW_OPS.has(n.op) ? 0 : 1;
  for (const i of n.inputs) {
    if (cost >= budget) break;
    cost += inlineCost(i, own, budget - cost);
  }
  return cost;
}

/** Replaces routine ops the backend lacks by their portable decompositions. */
function expandRoutines(targets: readonly Node[], has: (routine: string) => boolean): Node[] {
  const memo = new Map<Node, Node>();
  for (const n of toposort(targets, isRealized)) {
    if (isRealized(n)) {
      memo.set(n, n);
      continue;
    }
    const ins = n.inputs.map((i) => memo.get(i) ?? i);
    const lower = opDef(n.op).lower;
    let out: Node;
    if (lower.kind === "routine" && !has(lower.routine)) out = lower.decompose(graphBuilder, ins, n.params);
    else out = ins.every((x, i) => x === n.inputs[i]) ? n : build(n.op, ins, n.params);
    memo.set(n, out);
  }
  return targets.map((t) => memo.get(t) ?? t);
}

export interface ScheduleOptions {
  /** Whether a backend routine exists (else the op's decomposition is used). */
  hasRoutine?: (routine: string) => boolean;
  /** Fuse elementwise chains into their consumers (off: one kernel per op, views still copy nothing). */
  fuse?: boolean;
}

/** Schedules the computation of `targets` (which must not be realized yet). */
export function schedule(targets: readonly Node[], opts: ScheduleOptions = {}): Schedule {
  const hasRoutine = opts.hasRoutine ?? (() => false);
  const outputs = expandRoutines(targets, hasRoutine);
  const order = toposort(outputs, isRealized).filter((n) => !isRealized(n));
  const uses = new Map<Node, number>();
  for (const n of order) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);

  const own = new Set<Node>(outputs);
  for (const n of order) {
    const lower = opDef(n.op).lower;
    if (lower.kind !== "expr") own.add(n);
    if (opts.fuse === false && !VIEW_OPS.has(n.op) && n.op !== "full" && n.op !== "iota") own.add(n);
    if (lower.kind === "routine") n.inputs.forEach((i) => own.add(i));
    if ((uses.get(n) ?? 0) > 1) {
      // a shared view is inlined at each use, so the value under it is what must not be recomputed;
      // a cheap one (a few ALU ops over buffers) is recomputed instead of stored and read back
      let base = n;
      while (VIEW_OPS.has(base.op) && !isRealized(base)) base = base.inputs[0] as Node;
      if (
        !isRealized(base) &&
        base.op !== "full" &&
        base.op !== "iota" &&
        (opts.fuse === false || inlineCost(base, own) > RECOMPUTE_LIMIT)
      )
        own.add(base);
    }
    // a computed value broadcast by expand would be recomputed for every copy: keep it in a buffer
    if (n.op === "expand") {
      // look through the reshapes/permutes between the value and the broadcast
      let src = n.inputs[0] as Node;
      while (VIEW_OPS.has(src.op) && src.op !== "expand" && !isRealized(src)) src = src.inputs[0] as Node;
      const costly = opts.fuse === false || inlineCost(src, own) > BROADCAST_RECOMPUTE_LIMIT;
      const constant = src.op === "full" || src.op === "iota";
      if (!isRealized(src) && !VIEW_OPS.has(src.op) && !constant && src.size < n.size && costly) own.add(src);
    }
  }

  const steps: Step[] = [];
  for (const n of order) {
    if (!own.has(n) || isRealized(n)) continue;
    const lower = opDef(n.op).lower;
    if (lower.kind === "source") {
      const host = lower.host;
      if (!host) throw new Error(`${n.op}: a source node without data cannot be computed`);
      steps.push({ kind: "host", node: n, data: () => host(n.params, n.shape, n.dtype) });
    } else if (lower.kind === "routine") {
      steps.push({ kind: "routine", node: n, routine: lower.routine, args: n.inputs });
    } else {
      steps.push(kernelFor(n, own));
    }
  }
  return { steps, outputs };
}

/** Builds the kernel that computes `root`, inlining every producer that has no buffer of its own. */
function kernelFor(root: Node, own: ReadonlySet<Node>): Step {
  const args: Node[] = [];
  const names: string[] = [];
  const fused = new Set<Node>([root]);
  const argIndex = (n: Node): number => {
    let i = args.indexOf(n);
    if (i < 0) i = args.push(n) - 1;
    return i;
  };
  const and = (a: Expr | undefined, b: Expr | undefined): Expr | undefined =>
    a && b ? alu("and", [a, b], "bool") : (a ?? b);

  const load = (n: Node, view: View, base: Node, index: readonly Expr[], valid: Expr | undefined): Expr => {
    let flat = cnst(view.offset, "int32");
    index.forEach((e, i) => {
      const s = view.strides[i] ?? 0;
      if (s !== 0 && (view.shape[i] ?? 1) !== 1)
        flat = alu("add", [flat, alu("mul", [e, cnst(s, "int32")], "int32")], "int32");
    });
    const e: Expr = { k: "load", buf: argIndex(base), idx: flat, dtype: n.dtype, ...(valid ? { valid } : {}) };
    return e;
  };

  const exprOf = (n: Node, index: readonly Expr[], valid: Expr | undefined, isRoot: boolean): Expr => {
    if (!isRoot) {
      if (n.realized) return load(n, n.realized.view, n, index, valid);
      if (own.has(n)) return load(n, contiguousView(n.shape), n, index, valid);
      const sv = VIEW_OPS.has(n.op) ? stridedOf(n) : null;
      if (sv) return load(n, sv.view, sv.base, index, valid);
    }
    const def = opDef(n.op) as OpDef<object>;
    const lower = def.lower;
    if (lower.kind !== "expr") throw new Error(`${n.op}: cannot be inlined into a kernel`);
    names.push(n.op);
    fused.add(n);
    const ctx: LowerCtx = {
      idx: index,
      outShape: n.shape,
      outDtype: n.dtype,
      inShapes: n.inputs.map((i) => i.shape),
      inDtypes: n.inputs.map((i) => i.dtype),
      // a masked read is 0 where the mask is false: buffer loads honour the mask themselves, any
      // other (inlined) value is selected away
      load: (i, ix, v) => {
        const src = n.inputs[i] as Node;
        const e = exprOf(src, ix, and(valid, v), false);
        return v && !(e.k === "load" && e.valid) ? alu("where", [v, e, cnst(0, src.dtype)], src.dtype) : e;
      },
    };
    return lower.expr(ctx, n.params);
  };

  const rank = root.shape.length;
  const vars = root.shape.map((_, i) => loopVar(i));
  const lower = opDef(root.op).lower;
  let body: Expr;
  let reduce: Kernel["reduce"];
  if (lower.kind === "reduce") {
    const src = root.inputs[0] as Node;
    const axes = (root.params as { axes: number[] }).axes;
    names.push(lower.op);
    body = exprOf(
      src,
      src.shape.map((_, a) => (axes.includes(a) ? loopVar(rank + a) : loopVar(a))),
      undefined,
      false,
    );
    reduce = { op: lower.op, axes, sizes: axes.map((a) => src.shape[a] ?? 1) };
  } else {
    body = exprOf(root, vars, undefined, true);
  }
  const inputs = args.map((a) => a.dtype);
  const name = `k_${[...new Set(names)].slice(0, 4).join("_") || "copy"}`;
  const key = `${root.shape.join("x")}|${root.dtype}|${inputs.join(",")}|${reduce ? `${reduce.op}:${reduce.axes.join(",")}:${reduce.sizes.join(",")}|` : ""}${exprKey(body)}`;
  const kernel: Kernel = {
    name,
    outShape: root.shape,
    outDtype: root.dtype,
    inputs,
    body,
    key,
    ...(reduce ? { reduce } : {}),
  };
  return { kind: "kernel", node: root, kernel, args, fused: [...fused] };
}
