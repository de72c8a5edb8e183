// Containers: Sequential (children named "0", "1", … as in PyTorch's state dicts) and ModuleList.
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { Module, type AnyModule } from "./module.js";

/** A module of one tensor in, one tensor out. */
export type Layer = Module<[Tensor], Tensor>;

/** Applies its modules in order. */
export class Sequential extends Module {
  #n = 0;
  constructor(...modules: Layer[]) {
    super();
    for (const m of modules) this.append(m);
  }
  get length(): number {
    return this.#n;
  }
  append(m: Layer): this {
    this.registerModule(String(this.#n++), m as unknown as AnyModule);
    return this;
  }
  /** The i-th module (negative counts from the end). */
  at(i: number): Layer {
    const m = (this as unknown as Record<string, Layer | undefined>)[String(i < 0 ? this.#n + i : i)];
    if (!m) throw new ValueError("Sequential", `index ${i} out of range for ${this.#n} modules`);
    return m;
  }
  *[Symbol.iterator](): Iterator<Layer> {
    for (let i = 0; i < this.#n; i++) yield this.at(i);
  }
  override forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this) y = m.call(y);
    return y;
  }
}

/** Holds submodules in a list (named "0", "1", …); it has no forward of its own. */
export class ModuleList<M extends AnyModule = AnyModule> extends Module<never[], never> {
  #n = 0;
  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  get length(): number {
    return this.#n;
  }
  append(m: M): this {
    this.registerModule(String(this.#n++), m);
    return this;
  }
  at(i: number): M {
    const m = (this as unknown as Record<string, M | undefined>)[String(i < 0 ? this.#n + i : i)];
    if (!m) throw new ValueError("ModuleList", `index ${i} out of range for ${this.#n} modules`);
    return m;
  }
  *[Symbol.iterator](): Iterator<M> {
    for (let i = 0; i < this.#n; i++) yield this.at(i);
  }
}
