// Realization: compiles the unrealized part of a graph (passes, schedule, memory plan), runs it on
// the current backend and keeps the requested results in buffers.
import type { Backend } from "../backends/backend.js";
import { BYTES, allocArray, viewBytes, type TypedArray } from "../core/dtype.js";
import { DisposedError, fmtShape } from "../core/errors.js";
import { contiguousView, isContiguous, sizeOf, type View } from "../core/shape.js";
import { toposort, type Node } from "../graph/node.js";
import type { OptLevel } from "../graph/pipeline.js";
import { backendInstance } from "./device.js";
import { compile, execute } from "./executable.js";
import { getOptLevel } from "./options.js";
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
  const exe = compile(todo, [], level, backendInstance());
  const results = execute(exe, []);
  todo.forEach((t, i) => {
    const r = results[i] as { storage: Storage; view: View };
    if (!t.realized) attach(t, r.storage, r.view);
    r.storage.release();
  });
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
