// The memory plan, like register allocation: the live interval of every value a schedule
// produces, buffers reused once their value is dead (in place where a kernel reads each element
// only at the position it writes), the peak known before anything runs, and a verifier.
import { BYTES } from "../core/dtype.js";
import { contiguousView } from "../core/shape.js";
import type { Node } from "../graph/node.js";
import { exprKey, walkExpr } from "./ir.js";
import type { Step } from "./schedule.js";
import { alu, cnst, idx as loopVar, type Expr } from "../core/alu.js";

export interface Slot {
  readonly id: number;
  readonly bytes: number;
}

export interface Interval {
  readonly node: Node;
  /** Step that writes the value (-1 for inputs that exist before the plan runs). */
  readonly def: number;
  /** Last step that reads it (Infinity for outputs). */
  readonly end: number;
  readonly slot: number;
}

export interface MemoryPlan {
  readonly slots: readonly Slot[];
  readonly intervals: readonly Interval[];
  /** Steps whose output reuses an argument's buffer in place. */
  readonly inPlace: readonly { step: number; arg: Node }[];
  /** Bytes of all slots: the most this plan holds at once, besides its inputs. */
  readonly peakBytes: number;
  /** Bytes without any reuse, for comparison. */
  readonly naiveBytes: number;
}

export interface PlanOptions {
  /** Values that must survive the plan (outputs). */
  readonly keep: ReadonlySet<Node>;
  /** Inputs whose buffers the plan may take over once they are dead (donated arguments). */
  readonly donated?: ReadonlyMap<Node, number>;
}

const bytesOf = (n: Node): number => Math.max(1, n.size * BYTES[n.dtype]);

/** Whether every load of argument `arg` in a kernel step reads exactly the element it writes. */
export function readsOnlyOwnElement(step: Step, arg: Node): boolean {
  if (step.kind !== "kernel" || step.kernel.reduce) return false;
  const k = step.args.indexOf(arg);
  if (k < 0 || arg.size !== step.node.size || BYTES[arg.dtype] !== BYTES[step.node.dtype]) return false;
  const v = contiguousView(step.node.shape);
  let flat: Expr = cnst(0, "int32");
  step.node.shape.forEach((d, i) => {
    const s = v.strides[i] ?? 0;
    if (d !== 1) flat = alu("add", [flat, alu("mul", [loopVar(i), cnst(s, "int32")], "int32")], "int32");
  });
  const want = exprKey(flat);
  let ok = true;
  walkExpr(step.kernel.body, (e) => {
    if (e.k === "load" && e.buf === k && (e.valid || exprKey(e.idx) !== want)) ok = false;
  });
  return ok;
}

/** Plans buffers for the values written by `steps`. */
export function planMemory(steps: readonly Step[], opts: PlanOptions): MemoryPlan {
  const last = new Map<Node, number>();
  steps.forEach((s, i) => {
    if (s.kind !== "host") for (const a of s.args) last.set(a, i);
  });
  const slots: Slot[] = [];
  const free: number[] = [];
  const slotOf = new Map<Node, number>();
  const intervals: Interval[] = [];
  const inPlace: { step: number; arg: Node }[] = [];
  const donatedSlot = new Map<Node, number>();
  for (const [n, bytes] of opts.donated ?? []) {
    const id = slots.push({ id: slots.length, bytes }) - 1;
    donatedSlot.set(n, id);
    slotOf.set(n, id);
  }
  const release = (n: Node): void => {
    const s = slotOf.get(n);
    if (s !== undefined && !opts.keep.has(n)) free.push(s);
  };
  const endOf = (n: Node): number => (opts.keep.has(n) ? Infinity : (last.get(n) ?? -1));

  steps.forEach((step, i) => {
    const n = step.node;
    const need = bytesOf(n);
    let slot: number | undefined;
    if (step.kind === "kernel") {
      const dying = step.args.find(
        (a) =>
          slotOf.has(a) &&
          endOf(a) === i &&
          !opts.keep.has(a) &&
          slots[slotOf.get(a) as number]?.bytes === need &&
          readsOnlyOwnElement(step, a),
      );
      if (dying) {
        slot = slotOf.get(dying) as number;
        inPlace.push({ step: i, arg: dying });
        slotOf.delete(dying);
      }
    }
    if (slot === undefined) {
      const fit = free.findIndex((s) => slots[s]?.bytes === need);
      slot = fit >= 0 ? (free.splice(fit, 1)[0] as number) : slots.push({ id: slots.length, bytes: need }) - 1;
    }
    slotOf.set(n, slot);
    intervals.push({ node: n, def: i, end: endOf(n), slot });
    // values whose last reader was this step are dead now
    if (step.kind !== "host")
      for (const a of new Set(step.args)) if (endOf(a) === i && slotOf.get(a) !== undefined) release(a);
    if (endOf(n) < i + 1 && !opts.keep.has(n)) release(n);
  });
  for (const [n, s] of donatedSlot) {
    if (!intervals.some((iv) => iv.node === n))
      intervals.unshift({ node: n, def: -1, end: last.get(n) ?? -1, slot: s });
  }
  const peakBytes = slots.reduce((a, s) => a + s.bytes, 0);
  const naiveBytes = steps.reduce((a, s) => a + bytesOf(s.node), 0);
  return { slots, intervals, inPlace, peakBytes, naiveBytes };
}

/**
 * Proves no two values share a buffer while both are live: for every pair in one slot, one
 * interval ends at or before the other begins (equality only for a legal in-place step).
 */
export function verifyPlan(plan: MemoryPlan): void {
  const bySlot = new Map<number, Interval[]>();
  for (const iv of plan.intervals) bySlot.set(iv.slot, [...(bySlot.get(iv.slot) ?? []), iv]);
  for (const [slot, ivs] of bySlot) {
    const sorted = [...ivs].sort((a, b) => a.def - b.def);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1] as Interval;
      const cur = sorted[i] as Interval;
      const inPlace = prev.end === cur.def && plan.inPlace.some((p) => p.step === cur.def && p.arg === prev.node);
      if (prev.end > cur.def || (prev.end === cur.def && !inPlace)) {
        throw new Error(
          `memory plan: slot ${slot} holds two live values (steps ${prev.def}–${prev.end} and ${cur.def}–${cur.end})`,
        );
      }
    }
  }
}
