// jit: traces a function once per input signature (shapes, dtypes, static arguments, backend,
// level), keeps the compiled executable, and replays it with no graph building. explain() reports
// what the compiler did.
import type { OptLevel } from "../graph/pipeline.js";
import { build, type Node } from "../graph/node.js";
import { backendInstance, getBackend } from "../runtime/device.js";
import { compile, execute, type Executable } from "../runtime/executable.js";
import { getOptLevel } from "../runtime/options.js";
import { realize, attach } from "../runtime/realize.js";
import { Report } from "../runtime/report.js";
import type { Storage } from "../runtime/storage.js";
import { isContiguous, type View } from "../core/shape.js";
import { ValueError } from "../core/errors.js";
import { leaves, mapTree } from "./pytree.js";
import { tidy } from "./memory.js";
import { Tensor, nextUid } from "./tensor.js";

export interface JitOptions {
  /** Optimization level for this function (default: the global level, see setOptLevel). */
  optLevel?: OptLevel;
  /**
   * Arguments whose buffers the compiled function may reuse for its results (e.g. parameters in
   * a training step). Their tensors are disposed by the call.
   */
  donate?: readonly number[];
}

interface Entry {
  readonly exe: Executable;
  readonly placeholders: readonly Node[];
  /** The output pytree with tensor leaves replaced by output indices. */
  readonly outTree: unknown;
}

export interface Jitted<A extends unknown[], R> {
  (...args: A): R;
  /** The compiler's report for these arguments (traces if needed, runs nothing). */
  explain(...args: A): Report;
  /** Number of traced signatures. */
  readonly traces: number;
}

function signature(args: unknown[], level: number): string {
  const walk = (x: unknown): unknown => {
    if (x instanceof Tensor) return `T${x.dtype}[${x.shape.join(",")}]`;
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v)]));
    return x;
  };
  return `${getBackend()}|O${level}|${JSON.stringify(args.map(walk))}`;
}

interface Bound {
  storage: Storage;
  view: View;
  /** Set when the buffer is a temporary copy that the caller must release. */
  temp: boolean;
}

/** A copy of the tensor's value in a fresh contiguous buffer. */
function copyOf(t: Tensor): Bound {
  const copy = build("input", [t.node], { uid: nextUid() });
  realize([copy], 0);
  const r = copy.realized as { storage: Storage; view: View };
  copy.realized = undefined;
  return { storage: r.storage, view: r.view, temp: true };
}

/** The tensor's value as a contiguous buffer (copied only if it is a strided view). */
function contiguous(t: Tensor): Bound {
  realize([t.node]);
  const r = t.node.realized;
  return r && isContiguous(r.view) ? { storage: r.storage as Storage, view: r.view, temp: false } : copyOf(t);
}

const releaseAll = (bs: readonly Bound[]): void => bs.forEach((b) => b.temp && b.storage.release());

/** Compiles `fn` for each new input signature and replays the compiled plan afterwards. */
export function jit<A extends unknown[], R>(fn: (...args: A) => R, opts: JitOptions = {}): Jitted<A, R> {
  const cache = new Map<string, Entry>();
  const level = (): OptLevel => opts.optLevel ?? getOptLevel();

  const trace = (args: A, bound: readonly Bound[]): Entry => {
    const inputs = leaves(args);
    const placeholders = inputs.map((t) => build("const", [], { uid: nextUid(), shape: t.shape, dtype: t.dtype }));
    placeholders.forEach((p, i) => {
      attach(p, (bound[i] as Bound).storage);
      p.handles++; // held by the trace, so tidy below does not free it
    });
    try {
      let outTree: unknown;
      let exe: Executable | undefined;
      tidy(() => {
        let k = 0;
        const traced = args.map((a) => mapTree(a, () => new Tensor(placeholders[k++] as Node))) as A;
        const out = fn(...traced);
        const outNodes = leaves(out).map((t) => t.node);
        let j = 0;
        outTree = mapTree(out, () => ({ __out: j++ }));
        const donate = new Set<number>();
        const donated = new Set(opts.donate ?? []);
        let n = 0;
        args.forEach((a, i) => leaves(a).forEach(() => (donated.has(i) ? donate.add(n++) : n++)));
        exe = compile(outNodes, placeholders, level(), backendInstance(), { donate });
        // values the function read without taking them as arguments (and constants it made) are
        // part of the compiled plan: keep them alive with it
        const held = new Set(placeholders);
        const hold = (n: Node): void => {
          if (!n.realized || held.has(n)) return;
          held.add(n);
          n.handles++;
        };
        for (const s of exe.steps) if (s.kind !== "host") s.args.forEach(hold);
        for (const o of exe.outputs) if (o.kind === "alias") hold(o.base);
      });
      return { exe: exe as unknown as Executable, placeholders, outTree };
    } finally {
      for (const p of placeholders) {
        p.handles--;
        (p.realized?.storage as Storage | undefined)?.release();
        p.realized = undefined;
      }
    }
  };

  const entryFor = (args: A, bound: readonly Bound[]): Entry => {
    const sig = signature(args, level());
    let e = cache.get(sig);
    if (!e) {
      e = trace(args, bound);
      cache.set(sig, e);
    }
    return e;
  };

  const call = (...args: A): R => {
    const inputs = leaves(args);
    const bound = inputs.map(contiguous);
    const e = entryFor(args, bound);
    // a donated buffer that something else also holds is copied first, so nothing else changes
    const donated = new Set<number>();
    let k = 0;
    args.forEach((a, i) => leaves(a).forEach(() => (opts.donate?.includes(i) ? donated.add(k++) : k++)));
    const binding = bound.map((b, i) => {
      const t = inputs[i] as Tensor;
      if (!donated.has(i) || b.temp || (b.storage.refs === 1 && t.node.handles === 1)) return b;
      return copyOf(t);
    });
    let results: { storage: Storage; view: View }[];
    try {
      results = execute(e.exe, binding);
    } finally {
      releaseAll(bound);
      releaseAll(binding.filter((b, i) => b !== bound[i]));
    }
    donated.forEach((i) => (inputs[i] as Tensor).dispose());
    const outs = results.map((r, i) => {
      const leaf = build("const", [], { uid: nextUid(), shape: [...r.view.shape], dtype: outDType(e, i) });
      attach(leaf, r.storage, r.view);
      r.storage.release();
      return new Tensor(leaf);
    });
    const rebuild = (x: unknown): unknown => {
      if (x && typeof x === "object" && "__out" in x) return outs[(x as { __out: number }).__out];
      if (Array.isArray(x)) return x.map(rebuild);
      if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([kk, v]) => [kk, rebuild(v)]));
      return x;
    };
    return rebuild(e.outTree) as R;
  };

  const jitted = call as Jitted<A, R>;
  jitted.explain = (...args: A): Report => {
    const bound = leaves(args).map(contiguous);
    try {
      return Report.from(entryFor(args, bound).exe);
    } finally {
      releaseAll(bound);
    }
  };
  Object.defineProperty(jitted, "traces", { get: () => cache.size });
  return jitted;
}

function outDType(e: Entry, i: number): Tensor["dtype"] {
  const o = e.exe.outputs[i];
  if (!o) throw new ValueError("jit", `no output ${i}`);
  return o.kind === "step" ? o.node.dtype : o.base.dtype;
}

/** The compiler's report for computing these tensors now (nothing runs). */
export function explain(tensors: Tensor | readonly Tensor[], opts: { optLevel?: OptLevel } = {}): Report {
  const nodes = (tensors instanceof Tensor ? [tensors] : tensors).map((t) => t.node);
  return Report.from(compile(nodes, [], opts.optLevel ?? getOptLevel(), backendInstance()));
}
