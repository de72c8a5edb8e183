// Module: the base of every layer. Parameters, buffers and submodules are found on the module's own
// properties (in declaration order), so a model is a plain class; names follow PyTorch's state dicts.
import type { DType } from "../core/dtype.js";
import { isFloat } from "../core/dtype.js";
import { NablaError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { variable } from "../tensor/autodiff.js";
import { asTensor, type TensorLike } from "../tensor/convert.js";
import { astype, stopGradient } from "../tensor/math.js";
import { keep, tidy } from "../tensor/memory.js";
import { Tensor } from "../tensor/tensor.js";

const PARAMETERS = new WeakSet<Tensor>();

/** A trainable tensor: a `variable` (so `backward()` fills `.grad`) that modules list as a parameter. */
export function parameter(x: TensorLike): Tensor {
  const t = variable(x);
  PARAMETERS.add(t);
  return t;
}

/** Made with `parameter()`, or any tensor that requires a gradient. */
export function isParameter(x: unknown): x is Tensor {
  return x instanceof Tensor && (PARAMETERS.has(x) || x.requiresGrad);
}

/** A state value kept across tidy scopes (running statistics, optimizer moments). */
export function buffer(x: TensorLike): Tensor {
  // stopGradient gives a fresh node, so the leaf never shares its node with x
  return keep(tidy(() => stopGradient(asTensor(x)).detach()));
}

/** Replaces `target`'s value by a copy-free new leaf of `value` (never sharing a node with another tensor). */
export function assignFrom(target: Tensor, value: Tensor, op = "assign"): void {
  if (value.shape.join() !== target.shape.join())
    throw new ShapeError(op, `expected shape ${fmtShape(target.shape)}, got ${fmtShape(value.shape)}`);
  tidy(() => {
    target.assign(astype(stopGradient(value), target.dtype));
  });
}

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Any module, whatever its forward signature. */
export type AnyModule = Module<never[], unknown>;

/**
 * The base class of layers and models. Subclasses declare parameters (`parameter(...)`), buffers
 * (`registerBuffer`) and submodules (modules, or arrays of them) as properties and define
 * `forward`; `call(...)` runs it.
 */
export class Module<I extends unknown[] = [Tensor], O = Tensor> {
  /** Training mode (dropout active, batch norm uses batch statistics); see train()/eval(). */
  training = true;
  readonly #buffers = new Set<string>();

  /** The computation; subclasses define it. */
  forward(..._args: I): O {
    throw new NablaError("forward", `${this.constructor.name} does not define forward()`);
  }
  /** Runs forward (the counterpart of calling a PyTorch module). */
  call(...args: I): O {
    return this.forward(...args);
  }

  /** Adds a state tensor saved in stateDict but not trained (e.g. running statistics). */
  protected registerBuffer(name: string, value: TensorLike | null): void {
    this.#buffers.add(name);
    (this as Record<string, unknown>)[name] = value === null ? null : buffer(value);
  }
  /** Adds a submodule under `name` (used by containers whose children are named "0", "1", …). */
  protected registerModule(name: string, m: AnyModule | null): void {
    (this as Record<string, unknown>)[name] = m;
  }

  #entries(): [string, unknown][] {
    return Object.entries(this).filter(([k]) => k !== "training");
  }

  /** [name, child] for the direct submodules (arrays of modules are named `name.i`). */
  namedChildren(): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    for (const [k, v] of this.#entries()) {
      if (v instanceof Module) out.push([k, v as AnyModule]);
      else if (Array.isArray(v))
        v.forEach((m, i) => {
          if (m instanceof Module) out.push([`${k}.${i}`, m as AnyModule]);
        });
    }
    return out;
  }
  children(): AnyModule[] {
    return this.namedChildren().map(([, m]) => m);
  }
  /** This module and every submodule, depth first, each once. */
  namedModules(prefix = "", seen = new Set<AnyModule>()): [string, AnyModule][] {
    if (seen.has(this as AnyModule)) return [];
    seen.add(this as AnyModule);
    const out: [string, AnyModule][] = [[prefix, this as AnyModule]];
    for (const [k, m] of this.namedChildren()) out.push(...m.namedModules(prefix ? `${prefix}.${k}` : k, seen));
    return out;
  }
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  #own(kind: "param" | "buffer"): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, v] of this.#entries()) {
      if (v instanceof Tensor) {
        if (kind === "buffer" ? this.#buffers.has(k) : !this.#buffers.has(k) && isParameter(v)) out.push([k, v]);
      } else if (kind === "param" && Array.isArray(v)) {
        v.forEach((t, i) => {
          if (isParameter(t)) out.push([`${k}.${i}`, t]);
        });
      }
    }
    return out;
  }
  #collect(kind: "param" | "buffer"): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [k, t] of m.#own(kind)) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([prefix ? `${prefix}.${k}` : k, t]);
      }
    }
    return out;
  }
  /** [dotted name, parameter] for every parameter, recursively; a shared parameter appears once. */
  namedParameters(): [string, Tensor][] {
    return this.#collect("param");
  }
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }
  namedBuffers(): [string, Tensor][] {
    return this.#collect("buffer");
  }
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }
  /** Total number of parameter elements. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Every parameter and buffer by dotted name (`"layers.0.weight"`); the tensors themselves, not copies. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [prefix, m] of this.namedModules()) {
      for (const [k, t] of [...m.#own("param"), ...m.#own("buffer")]) out[prefix ? `${prefix}.${k}` : k] ??= t;
    }
    return out;
  }

  /**
   * Copies values from `dict` into the parameters and buffers with the same names. With
   * `strict` (the default) missing and unexpected keys are errors; shapes must always match.
   */
  loadStateDict(dict: Readonly<Record<string, TensorLike>>, opts: { strict?: boolean } = {}): LoadResult {
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !(k in dict));
    const unexpectedKeys = Object.keys(dict).filter((k) => !(k in own));
    const problems: string[] = [];
    if (opts.strict ?? true) {
      if (missingKeys.length) problems.push(`missing keys: ${missingKeys.join(", ")}`);
      if (unexpectedKeys.length) problems.push(`unexpected keys: ${unexpectedKeys.join(", ")}`);
    }
    const pairs: [Tensor, Tensor][] = [];
    for (const [k, t] of Object.entries(own)) {
      const v = dict[k];
      if (v === undefined) continue;
      const src = asTensor(v);
      if (src.shape.join() !== t.shape.join())
        problems.push(`size mismatch for ${k}: expected ${fmtShape(t.shape)}, got ${fmtShape(src.shape)}`);
      else pairs.push([t, src]);
    }
    if (problems.length) throw new ValueError("loadStateDict", problems.join("; "));
    for (const [t, src] of pairs) assignFrom(t, src, "loadStateDict");
    return { missingKeys, unexpectedKeys };
  }

  /** Sets training mode on this module and every submodule. */
  train(mode = true): this {
    for (const m of this.modules()) (m as Module<never[], unknown>).training = mode;
    return this;
  }
  /** Evaluation mode: train(false). */
  eval(): this {
    return this.train(false);
  }
  /** Drops the gradients of every parameter (they are filled again by the next backward()). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = undefined;
    }
  }
  /** Calls fn on every submodule (children first) and on this module. */
  apply(fn: (m: AnyModule) => void): this {
    for (const m of this.modules().reverse()) fn(m);
    return this;
  }
  /** Casts floating parameters and buffers to `dtype` in place. */
  to(dtype: DType): this {
    if (!isFloat(dtype)) throw new ValueError("to", `expected a floating dtype, got ${dtype}`);
    for (const t of [...this.parameters(), ...this.buffers()]) {
      if (!isFloat(t.dtype) || t.dtype === dtype) continue;
      const cast = tidy(() => astype(t, dtype).detach());
      replaceTensor(this, t, cast);
    }
    return this;
  }
  /** Frees every parameter, gradient and buffer; the module is unusable afterwards. */
  dispose(): void {
    for (const t of [...this.parameters(), ...this.buffers()]) t.dispose();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Swaps tensor `old` for `next` wherever a module in the tree holds it (used to change dtypes). */
function replaceTensor(root: AnyModule, old: Tensor, next: Tensor): void {
  const fresh = isParameter(old) ? parameter(next) : buffer(next);
  next.dispose();
  for (const m of root.modules()) {
    const rec = m as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(rec)) {
      if (v === old) rec[k] = fresh;
      else if (Array.isArray(v)) v.forEach((x, i) => x === old && (v[i] = fresh));
    }
  }
  old.dispose();
}

/** The module and attribute name that a dotted name (`"layers.0.weight"`) refers to. */
function resolve(root: AnyModule, name: string): [Record<string, unknown>, string] {
  const parts = name.split(".");
  let obj: unknown = root;
  for (let i = 0; i < parts.length - 1; i++) {
    obj = (obj as Record<string, unknown>)[parts[i] as string];
    if (obj === undefined || obj === null || typeof obj !== "object")
      throw new ValueError("functionalCall", `no submodule ${parts.slice(0, i + 1).join(".")} for ${name}`);
  }
  return [obj as Record<string, unknown>, parts[parts.length - 1] as string];
}

/**
 * Runs `module.forward(...args)` with some parameters or buffers replaced by the given tensors
 * (by dotted name), restoring them afterwards: a pure function of its parameters, for
 * `grad`/`jit` (like torch.func.functional_call).
 */
export function functionalCall<I extends unknown[], O>(
  module: Module<I, O>,
  tensors: Readonly<Record<string, Tensor>>,
  ...args: I
): O {
  const saved: [Record<string, unknown>, string, unknown][] = [];
  const own = module.stateDict();
  try {
    for (const [name, t] of Object.entries(tensors)) {
      if (!(name in own)) throw new ValueError("functionalCall", `${module.constructor.name} has no tensor ${name}`);
      const [obj, key] = resolve(module as AnyModule, name);
      saved.push([obj, key, obj[key]]);
      obj[key] = t;
    }
    return module.forward(...args);
  } finally {
    for (const [obj, key, v] of saved.reverse()) obj[key] = v;
  }
}
