// Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay (PyTorch's rule).
import { ValueError } from "../core/errors.js";
import { zerosLike } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroup, type ParamsArg, type Update, type UpdateContext } from "./optimizer.js";

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  /** Ascend instead of descend. */
  maximize: boolean;
}

/**
 * g ← ∇ + λ·p; b ← μ·b + (1 − τ)·g (b = g on the first step); g ← g + μ·b (Nesterov) or b;
 * p ← p − lr·g.
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsArg<SGDOptions>, opts: Partial<SGDOptions> & { lr: number }) {
    super(params, { momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false, ...opts });
  }
  protected override validate(g: ParamGroup<SGDOptions>): void {
    super.validate(g);
    if (!(g.momentum >= 0)) throw new ValueError("SGD", `invalid momentum ${g.momentum}`);
    if (!(g.weightDecay >= 0)) throw new ValueError("SGD", `invalid weight decay ${g.weightDecay}`);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0))
      throw new ValueError("SGD", "Nesterov momentum needs momentum > 0 and dampening 0");
  }
  protected override initState(p: Tensor, g: ParamGroup<SGDOptions>): Record<string, Tensor> {
    return g.momentum !== 0 ? { momentumBuffer: zerosLike(p) } : {};
  }
  protected update({ param, grad, state, step, group: o, scalar }: UpdateContext<SGDOptions>): Update {
    let g = o.maximize ? grad.neg() : grad;
    if (o.weightDecay !== 0) g = g.add(param.mul(o.weightDecay));
    const next: Record<string, Tensor> = {};
    if (o.momentum !== 0) {
      const prev = state.momentumBuffer;
      const buf = step === 1 || !prev ? g : prev.mul(o.momentum).add(g.mul(1 - o.dampening));
      next.momentumBuffer = buf;
      g = o.nesterov ? g.add(buf.mul(o.momentum)) : buf;
    }
    return { param: param.sub(g.mul(scalar(o.lr))), state: next };
  }
}
