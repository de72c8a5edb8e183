// Autotuning (O3): for each kernel with more than one implementation on its backend, time every
// variant on scratch buffers and keep the fastest. Choices are kept by kernel hash in a store that
// persists across processes where one is installed (a file in Node, see index.node.ts).
import type { Backend } from "../backends/backend.js";
import { BYTES } from "../core/dtype.js";
import type { Kernel } from "../kernel/ir.js";
import type { Step } from "../kernel/schedule.js";

export interface TuningStore {
  load(): Record<string, string>;
  save(choices: Record<string, string>): void;
}

let store: TuningStore | undefined;
let choices: Record<string, string> | undefined;

/** Installs where tuning results persist (by default they live for the process only). */
export function setTuningStore(s: TuningStore | undefined): void {
  store = s;
  choices = undefined;
}

function table(): Record<string, string> {
  choices ??= store?.load() ?? {};
  return choices;
}

/** A 53-bit hash of a string (two interleaved 32-bit multiplicative hashes), as hex. */
export function hashKey(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
}

/** Times one variant on zero-filled scratch buffers of the arguments' real sizes. */
function timeVariant(backend: Backend, k: Kernel, variant: string, argBytes: readonly number[]): number {
  const program = backend.compile(k, variant);
  const out = backend.alloc(Math.max(1, k.outShape.reduce((a, b) => a * b, 1) * BYTES[k.outDtype]));
  const args = argBytes.map((b) => backend.alloc(Math.max(1, b)));
  let best = Infinity;
  try {
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      backend.run(program, out, args);
      best = Math.min(best, performance.now() - t0);
    }
  } finally {
    backend.free(out);
    args.forEach((a) => backend.free(a));
  }
  return best;
}

/** The chosen variant of each kernel step (absent: the backend's default). */
export function tune(steps: readonly Step[], backend: Backend): Map<number, string> {
  const chosen = new Map<number, string>();
  const t = table();
  let changed = false;
  steps.forEach((s, i) => {
    if (s.kind !== "kernel") return;
    const variants = backend.variants?.(s.kernel) ?? [];
    if (variants.length < 2) return;
    const key = `${backend.name}:${hashKey(s.kernel.key)}`;
    let v = t[key];
    if (!v || !variants.includes(v)) {
      const argBytes = s.args.map((a) =>
        a.realized ? (a.realized.storage as { bytes: number }).bytes : a.size * BYTES[a.dtype],
      );
      const times = variants.map((name) => timeVariant(backend, s.kernel, name, argBytes));
      v = variants[times.indexOf(Math.min(...times))] as string;
      t[key] = v;
      changed = true;
    }
    chosen.set(i, v);
  });
  if (changed) store?.save(t);
  return chosen;
}
