// Realization: schedules the unrealized part of a graph, runs it on the current backend and keeps
// the requested results in buffers. Intermediates are freed right after their last use.
import type { Backend } from "../backends/backend.js";
import { BYTES, allocArray, viewBytes, type TypedArray } from "../core/dtype.js";
import { DisposedError, fmtShape } from "../core/errors.js";
import { contiguousView, isContiguous, sizeOf, type View } from "../core/shape.js";
import { toposort, type Node } from "../graph/node.js";
import { schedule, stridedOf, type Step } from "../kernel/schedule.js";
import { backendInstance } from "./device.js";
import { getOptLevel } from "./options.js";
import { optimize, type OptLevel } from "../graph/pipeline.js";
import { allocStorage, type Storage } from "./storage.js";

export const storageOf = (n: Node): Storage | undefined => n.realized?.storage as Storage | undefined;

/** Gives `node` the value held in `storage` (shared, reference counted). */
export function attach(node: Node, storage: Storage, view: View = contiguousView(node.shape)): void {
  storage.retain();
  node.realized = { storage, view };
}

/** Drops a node's buffer; it will be recomputed from its inputs if needed again. */
export function detachStorage(node: Node): void {
  const s = storageOf(node);
  node.realized = undefined;
  s?.release();
}

/** Uploads host data as the value of a leaf node. */
export function attachHost(node: Node, data: TypedArray, backend: Backend = backendInstance()): void {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const s = allocStorage(backend, bytes.byteLength);
  backend.write(s.buf, bytes);
  attach(node, s);
}

/** Moves a realized node's buffer to `backend` if it lives elsewhere. */
function onBackend(n: Node, backend: Backend): Storage {
  const s = storageOf(n) as Storage;
  if (s.backend === backend) return s;
  const moved = allocStorage(backend, s.bytes);
  backend.write(moved.buf, s.backend.read(s.buf, s.bytes));
  const view = n.realized?.view ?? contiguousView(n.shape);
  detachStorage(n);
  attach(n, moved, view);
  return moved;
}

/** Computes every node in `nodes` that has no value yet, at the current optimization level. */
export function realize(nodes: readonly Node[], level: OptLevel = getOptLevel()): void {
  const todo = [...new Set(nodes)].filter((n) => !n.realized);
  if (!todo.length) return;
  for (const n of toposort(todo, (x) => x.realized !== undefined)) {
    if (n.op === "const" && !n.realized) {
      throw new DisposedError(
        n.op,
        `a tensor of shape ${fmtShape(n.shape)} (${n.dtype}) used in this computation was already disposed`,
      );
    }
  }
  const roots = optimize(todo, level).roots;
  const pending: number[] = [];
  roots.forEach((r, i) => {
    const sv = stridedOf(r);
    if (sv) attach(todo[i] as Node, storageOf(sv.base) as Storage, sv.view);
    else pending.push(i);
  });
  if (!pending.length) return;
  const backend = backendInstance();
  const plan = schedule(
    pending.map((i) => roots[i] as Node),
    { hasRoutine: (r) => r in backend.routines, fuse: level >= 1 },
  );
  run(plan.steps, plan.outputs, backend);
  const computed = pending.map((i, k) => {
    const t = todo[i] as Node;
    const out = plan.outputs[k] as Node;
    if (out !== t && !t.realized) attach(t, storageOf(out) as Storage, out.realized?.view);
    return out;
  });
  // results computed under another node (after rewriting) now live on the targets only
  for (const out of new Set(computed)) if (out.realized && out.handles <= 0 && !todo.includes(out)) detachStorage(out);
}

function run(steps: readonly Step[], outputs: readonly Node[], backend: Backend): void {
  const keep = new Set(outputs);
  const lastUse = new Map<Node, number>();
  steps.forEach((s, i) => {
    if (s.kind !== "host") for (const a of s.args) lastUse.set(a, i);
  });
  const temps: Node[] = [];
  steps.forEach((step, i) => {
    const n = step.node;
    const out = allocStorage(backend, n.size * BYTES[n.dtype]);
    if (step.kind === "host") {
      const d = step.data();
      backend.write(out.buf, new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    } else if (step.kind === "kernel") {
      backend.run(
        backend.compile(step.kernel),
        out.buf,
        step.args.map((a) => onBackend(a, backend).buf),
      );
    } else {
      const args = step.args.map((a) => contiguousArg(a, backend));
      (backend.routines[step.routine] as NonNullable<(typeof backend.routines)[string]>)(
        out.buf,
        args.map((a) => a.buf),
        step.args.map((a) => a.shape),
        n.dtype,
      );
    }
    attach(n, out);
    if (!keep.has(n)) temps.push(n);
    // free temporaries whose last reader has run
    for (const t of temps) if (t.realized && (lastUse.get(t) ?? -1) <= i && !keep.has(t)) detachStorage(t);
  });
}

/** A routine reads contiguous buffers: copy a strided view first. */
function contiguousArg(n: Node, backend: Backend): Storage {
  const s = onBackend(n, backend);
  const v = n.realized?.view as View;
  if (isContiguous(v)) return s;
  const host = readStrided(n);
  const c = allocStorage(backend, host.byteLength);
  backend.write(c.buf, new Uint8Array(host.buffer, host.byteOffset, host.byteLength));
  detachStorage(n);
  attach(n, c);
  return c;
}

/** The node's elements in row-major order (realizing it if needed). */
export function readNode(n: Node): TypedArray {
  realize([n]);
  return readStrided(n);
}

function readStrided(n: Node): TypedArray {
  const s = storageOf(n) as Storage;
  const v = n.realized?.view as View;
  const raw = s.backend.read(s.buf, s.bytes);
  const flat = viewBytes(n.dtype, raw.buffer, raw.byteOffset, s.bytes / BYTES[n.dtype]);
  const size = sizeOf(v.shape);
  if (isContiguous(v)) return flat.slice(0, size) as TypedArray;
  const out = allocArray(n.dtype, size);
  const rank = v.shape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < size; o++) {
    let off = v.offset;
    for (let d = 0; d < rank; d++) off += (idx[d] as number) * (v.strides[d] as number);
    out[o] = flat[off] as number;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (v.shape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return out;
}
