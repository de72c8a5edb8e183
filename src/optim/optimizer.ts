// Optimizer: parameter groups, per-parameter state, and a step() that builds each parameter's update
// lazily (new value and new state in one graph), realizes it as one plan and assigns it in place.
import type { DType } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { tensor } from "../tensor/convert.js";
import { keep, tidy } from "../tensor/memory.js";
import { Tensor, realizeAll } from "../tensor/tensor.js";
import { buffer } from "../nn/module.js";

/** Hyperparameters every optimizer has. */
export interface BaseHyper {
  lr: number;
}
/** A group of parameters sharing hyperparameters. */
export type ParamGroup<H extends BaseHyper> = H & { params: Tensor[] };
/** What the constructor accepts: parameters, or groups with their own hyperparameters. */
export type ParamsArg<H extends BaseHyper> = Iterable<Tensor> | readonly ({ params: Iterable<Tensor> } & Partial<H>)[];

/** A parameter's state: a step count and named tensors (moments, buffers). */
export interface ParamState {
  step: number;
  tensors: Record<string, Tensor>;
}

/** What `update` receives for one parameter. */
export interface UpdateContext<H extends BaseHyper> {
  param: Tensor;
  grad: Tensor;
  /** The state before this step (tensors are read-only values). */
  state: Readonly<Record<string, Tensor>>;
  /** The step number, counting this one (1 on the first step). */
  step: number;
  group: ParamGroup<H>;
  /** A 0-d tensor of the param's dtype: step-dependent scalars go through these, so kernels are reused. */
  scalar(v: number): Tensor;
}

/** The result of `update`: the new parameter value and new state tensors (lazy). */
export interface Update {
  param: Tensor;
  state?: Record<string, Tensor>;
}

export interface OptimizerStateDict {
  /** By parameter index (in group order): step count and state tensors. */
  state: Record<number, { step: number } & Record<string, Tensor | number>>;
  /** Hyperparameters per group, with `params` as parameter indices. */
  paramGroups: ({ params: number[] } & Record<string, unknown>)[];
}

function isGroupList<H extends BaseHyper>(
  p: ParamsArg<H>,
): p is readonly ({ params: Iterable<Tensor> } & Partial<H>)[] {
  return Array.isArray(p) && p.length > 0 && !(p[0] instanceof Tensor);
}

/** The base of every optimizer; subclasses define `update` (and `initState` when they keep state). */
export abstract class Optimizer<H extends BaseHyper = BaseHyper> {
  readonly paramGroups: ParamGroup<H>[];
  readonly state = new Map<Tensor, ParamState>();
  readonly defaults: H;

  constructor(params: ParamsArg<H>, defaults: H) {
    this.defaults = { ...defaults };
    const groups = isGroupList(params) ? params : [{ params }];
    this.paramGroups = groups.map((g) => ({ ...this.defaults, ...g, params: [...g.params] }) as ParamGroup<H>);
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) {
      this.validate(g);
      for (const p of g.params) {
        if (seen.has(p)) throw new ValueError(this.constructor.name, "a parameter appears in more than one group");
        seen.add(p);
      }
    }
    if (seen.size === 0) throw new ValueError(this.constructor.name, "got an empty parameter list");
  }

  /** Checks a group's hyperparameters (throws ValueError). */
  protected validate(g: ParamGroup<H>): void {
    if (!(g.lr >= 0)) throw new ValueError(this.constructor.name, `invalid learning rate ${g.lr}`);
  }
  /** The state tensors of a parameter before its first step (zeros, usually). */
  protected initState(_param: Tensor, _group: ParamGroup<H>): Record<string, Tensor> {
    return {};
  }
  /** The new value of one parameter (and its new state), written lazily with tensor ops. */
  protected abstract update(ctx: UpdateContext<H>): Update;

  /** Adds a group of parameters (with its own hyperparameters). */
  addParamGroup(group: { params: Iterable<Tensor> } & Partial<H>): void {
    const g = { ...this.defaults, ...group, params: [...group.params] } as ParamGroup<H>;
    this.validate(g);
    const all = new Set(this.paramGroups.flatMap((x) => x.params));
    if (g.params.some((p) => all.has(p)))
      throw new ValueError(this.constructor.name, "a parameter appears in more than one group");
    this.paramGroups.push(g);
  }

  /** Drops every parameter's gradient (the next backward() fills them again). */
  zeroGrad(): void {
    for (const g of this.paramGroups)
      for (const p of g.params) {
        p.grad?.dispose();
        p.grad = undefined;
      }
  }

  /**
   * Updates every parameter that has a gradient. `closure`, if given, recomputes the loss (and
   * calls backward) first; its loss is returned.
   */
  step(closure?: () => Tensor): Tensor | undefined {
    const loss = closure?.();
    // lazy gradients may read parameters that the first updates replace: compute them all first
    const grads = this.paramGroups.flatMap((g) =>
      g.params.flatMap((p) => (p.grad && !p.grad.isDisposed ? [p.grad] : [])),
    );
    realizeAll(...grads);
    tidy(() => {
      for (const group of this.paramGroups) for (const p of group.params) this.#stepOne(p, group);
    });
    return loss;
  }

  #stepOne(p: Tensor, group: ParamGroup<H>): void {
    const grad = p.grad;
    if (!grad || grad.isDisposed) return;
    let st = this.state.get(p);
    if (!st) {
      st = { step: 0, tensors: {} };
      for (const [k, t] of Object.entries(this.initState(p, group))) st.tensors[k] = keep(t.detach());
      this.state.set(p, st);
    }
    const s = st;
    const u = this.update({
      param: p,
      grad: grad.dtype === p.dtype ? grad : grad.astype(p.dtype),
      state: s.tensors,
      step: s.step + 1,
      group,
      scalar: (v: number) => scalarOf(v, p.dtype),
    });
    const next = Object.entries(u.state ?? {});
    realizeAll(u.param, ...next.map(([, t]) => t)); // one plan for the parameter and its state
    p.assign(u.param);
    for (const [k, t] of next) {
      const old = s.tensors[k];
      if (old) old.assign(t.astype(old.dtype));
      else s.tensors[k] = keep(t.detach());
    }
    s.step++;
  }

  /** Step counts, state tensors and hyperparameters, with parameters by index (PyTorch's layout). */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map(({ params, ...hyper }) => ({
      ...hyper,
      params: params.map((p) => {
        index.set(p, index.size);
        return index.size - 1;
      }),
    }));
    const state: OptimizerStateDict["state"] = {};
    for (const [p, i] of index) {
      const st = this.state.get(p);
      if (st) state[i] = { step: st.step, ...st.tensors };
    }
    return { state, paramGroups };
  }

  /** Restores hyperparameters and state saved by stateDict() (the groups must have the same sizes). */
  loadStateDict(dict: OptimizerStateDict): void {
    const name = this.constructor.name;
    if (dict.paramGroups.length !== this.paramGroups.length)
      throw new ValueError(
        name,
        `expected ${this.paramGroups.length} parameter groups, got ${dict.paramGroups.length}`,
      );
    const byIndex: Tensor[] = [];
    dict.paramGroups.forEach((saved, gi) => {
      const g = this.paramGroups[gi] as ParamGroup<H>;
      if (saved.params.length !== g.params.length)
        throw new ValueError(
          name,
          `group ${gi} has ${g.params.length} parameters, the saved one ${saved.params.length}`,
        );
      saved.params.forEach((idx, j) => (byIndex[idx] = g.params[j] as Tensor));
    });
    for (const [i, saved] of Object.entries(dict.state)) {
      const p = byIndex[Number(i)];
      if (!p) throw new ValueError(name, `state for parameter ${i}, which no group has`);
      for (const [k, v] of Object.entries(saved))
        if (v instanceof Tensor && v.shape.join() !== p.shape.join() && v.size !== 1)
          throw new ValueError(name, `state ${k} of parameter ${i} has shape [${v.shape}], the parameter [${p.shape}]`);
    }
    dict.paramGroups.forEach((saved, gi) => {
      const { params: _params, ...hyper } = saved;
      Object.assign(this.paramGroups[gi] as object, hyper);
    });
    this.#disposeState();
    for (const [i, saved] of Object.entries(dict.state)) {
      const p = byIndex[Number(i)] as Tensor;
      const st: ParamState = { step: Number(saved.step ?? 0), tensors: {} };
      for (const [k, v] of Object.entries(saved)) {
        if (!(v instanceof Tensor)) continue;
        st.tensors[k] = buffer(v.astype(p.dtype)); // its own leaf, not shared with the saved tensor
      }
      this.state.set(p, st);
    }
  }

  #disposeState(): void {
    for (const st of this.state.values()) for (const t of Object.values(st.tensors)) t.dispose();
    this.state.clear();
  }
  /** Frees the optimizer's state tensors (the parameters are untouched). */
  dispose(): void {
    this.#disposeState();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}

const scalarOf = (v: number, dtype: DType): Tensor => tensor(v, { dtype });
