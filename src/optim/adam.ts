// Adam (L2 weight decay added to the gradient, optional AMSGrad) and AdamW (decoupled weight decay).
import { ValueError } from "../core/errors.js";
import { zerosLike } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroup, type ParamsArg, type Update, type UpdateContext } from "./optimizer.js";

export interface AdamOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/**
 * m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε),
 * with g = ∇ + λ·p (Adam) or p ← p·(1 − lr·λ) first (AdamW).
 */
abstract class AdamBase extends Optimizer<AdamOptions> {
  protected abstract readonly decoupled: boolean;
  protected override validate(g: ParamGroup<AdamOptions>): void {
    super.validate(g);
    const [b1, b2] = g.betas;
    if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1))
      throw new ValueError(this.constructor.name, `invalid betas [${g.betas.join(", ")}]`);
    if (!(g.eps >= 0)) throw new ValueError(this.constructor.name, `invalid eps ${g.eps}`);
    if (!(g.weightDecay >= 0)) throw new ValueError(this.constructor.name, `invalid weight decay ${g.weightDecay}`);
  }
  protected override initState(p: Tensor, g: ParamGroup<AdamOptions>): Record<string, Tensor> {
    const s: Record<string, Tensor> = { expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
    if (g.amsgrad) s.maxExpAvgSq = zerosLike(p);
    return s;
  }
  protected update({ param, grad, state, step, group: o, scalar }: UpdateContext<AdamOptions>): Update {
    const [b1, b2] = o.betas;
    let g = o.maximize ? grad.neg() : grad;
    let p = param;
    if (o.weightDecay !== 0) {
      if (this.decoupled) p = p.mul(scalar(1 - o.lr * o.weightDecay));
      else g = g.add(param.mul(o.weightDecay));
    }
    const m = (state.expAvg as Tensor).mul(b1).add(g.mul(1 - b1));
    const v = (state.expAvgSq as Tensor).mul(b2).add(g.mul(g).mul(1 - b2));
    const next: Record<string, Tensor> = { expAvg: m, expAvgSq: v };
    let vHat = v;
    if (o.amsgrad) {
      vHat = (state.maxExpAvgSq as Tensor).maximum(v);
      next.maxExpAvgSq = vHat;
    }
    const bc1 = 1 - b1 ** step;
    const bc2 = 1 - b2 ** step;
    const denom = vHat
      .sqrt()
      .mul(scalar(1 / Math.sqrt(bc2)))
      .add(o.eps);
    return { param: p.sub(m.div(denom).mul(scalar(o.lr / bc1))), state: next };
  }
}

export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
      ...opts,
    });
  }
}

/** Adam with decoupled weight decay (default 0.01): p ← p·(1 − lr·λ) before the Adam step. */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 1e-2,
      amsgrad: false,
      maximize: false,
      ...opts,
    });
  }
}
