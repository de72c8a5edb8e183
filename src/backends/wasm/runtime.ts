// The wasm backend: one WebAssembly.Memory holding every buffer (a DeviceBuffer is an offset into
// it), kernels rendered to modules at run time and instantiated once per kernel key, and a GEMM
// routine. Reads and writes copy through memory.buffer (re-fetched, as growing replaces it).
import type { Kernel } from "../../kernel/ir.js";
import type { Backend, DeviceBuffer, Program } from "../backend.js";
import { Heap, type HeapStats } from "./alloc.js";
import { createGemm } from "./gemm.js";
import { simdAvailable } from "./features.js";
import { renderKernel } from "./render.js";

const PAGE = 65536;

export interface WasmBackendOptions {
  /** Upper bound of the memory (default 4 GiB, the wasm32 limit). */
  readonly maxBytes?: number;
  /** Initial size of the memory (default 16 MiB). */
  readonly initialBytes?: number;
  /** Use SIMD128 in kernels (default: when the engine validates it). */
  readonly simd?: boolean;
}

interface WasmBuffer extends DeviceBuffer {
  readonly offset: number;
  readonly heap: Heap;
  freed: boolean;
}

interface WasmProgram extends Program {
  readonly fn: (...offsets: number[]) => void;
  readonly bytes: number;
}

export interface WasmBackend extends Backend {
  /** Heap statistics (bytes in use, cached for reuse, capacity). */
  heapStats(): HeapStats;
  readonly memory: WebAssembly.Memory;
}

/** Creates a wasm backend with its own memory. */
export function createWasmBackend(opts: WasmBackendOptions = {}): WasmBackend {
  const maxBytes = Math.min(opts.maxBytes ?? 2 ** 32, 2 ** 32);
  const maxPages = Math.max(1, Math.floor(maxBytes / PAGE));
  const initial = Math.min(maxPages, Math.max(1, Math.ceil((opts.initialBytes ?? 16 * 2 ** 20) / PAGE)));
  const memory = new WebAssembly.Memory({ initial, maximum: maxPages });
  const heap = new Heap(memory, maxPages * PAGE);
  const simd = opts.simd ?? simdAvailable();
  const imports = { env: { mem: memory, sin: Math.sin, cos: Math.cos } };
  const cache = new Map<string, WasmProgram>();

  const own = (b: DeviceBuffer, what: string): WasmBuffer => {
    const w = b as Partial<WasmBuffer>;
    if (w.heap !== heap || w.offset === undefined)
      throw new Error(`wasm backend: ${what} is not a buffer of this backend`);
    if (w.freed) throw new Error(`wasm backend: ${what} was freed`);
    return w as WasmBuffer;
  };

  const gemm = createGemm(memory, imports, heap, simd, (b, what) => own(b, what).offset);

  return {
    name: "wasm",
    memory,
    heapStats: () => heap.stats(),
    alloc: (bytes): WasmBuffer => ({ bytes, offset: heap.alloc(bytes), heap, freed: false }),
    free: (buf) => {
      const b = own(buf, "free()");
      b.freed = true;
      heap.free(b.offset);
    },
    write: (buf, data) => {
      const b = own(buf, "write()");
      if (data.byteLength > b.bytes)
        throw new RangeError(`wasm backend: writing ${data.byteLength} bytes into a buffer of ${b.bytes}`);
      new Uint8Array(memory.buffer, b.offset, data.byteLength).set(data);
    },
    read: (buf, bytes) => {
      const b = own(buf, "read()");
      if (bytes > b.bytes) throw new RangeError(`wasm backend: reading ${bytes} bytes from a buffer of ${b.bytes}`);
      return new Uint8Array(memory.buffer, b.offset, bytes).slice();
    },
    compile: (kernel: Kernel): Program => {
      let p = cache.get(kernel.key);
      if (!p) {
        const { bytes } = renderKernel(kernel, { simd });
        const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
        p = { kernel, fn: inst.exports.kernel as WasmProgram["fn"], bytes: bytes.length };
        cache.set(kernel.key, p);
      }
      return p;
    },
    run: (program, out, args) => {
      const p = program as WasmProgram;
      const k = p.kernel;
      if (args.length !== k.inputs.length)
        throw new Error(`wasm backend: kernel ${k.name} takes ${k.inputs.length} inputs, got ${args.length}`);
      const o = own(out, "the output");
      const need =
        k.outShape.reduce((a, b) => a * b, 1) * (k.outDtype === "float64" ? 8 : k.outDtype === "bool" ? 1 : 4);
      if (o.bytes < need) throw new RangeError(`wasm backend: kernel ${k.name} writes ${need} bytes into ${o.bytes}`);
      p.fn(o.offset, ...args.map((a, i) => own(a, `input ${i}`).offset));
    },
    render: (kernel) => {
      const r = renderKernel(kernel, { simd, trace: true });
      const plan = r.plan;
      const head = plan
        ? `;; ${kernel.name}: ${r.bytes.length} bytes, loops [${plan.levels.map((l) => `${l.reduce ? "r" : ""}${l.size}`).join(", ")}], simd: ${plan.vec}`
        : `;; ${kernel.name}: ${r.bytes.length} bytes`;
      return [head, "(func $kernel", ...r.text, ")"].join("\n");
    },
    routines: { matmul: gemm },
  };
}
