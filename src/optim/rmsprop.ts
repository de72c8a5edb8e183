// RMSprop (optionally centered, with momentum) and Adagrad, as in PyTorch.
import { ValueError } from "../core/errors.js";
import { fullLike, zerosLike } from "../tensor/create.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, type ParamGroup, type ParamsArg, type Update, type UpdateContext } from "./optimizer.js";

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/**
 * s ← αs + (1 − α)g²; a = √(s − ḡ²) + ε (centered, ḡ ← αḡ + (1 − α)g) or √s + ε;
 * b ← μb + g/a, p ← p − lr·b (momentum) or p ← p − lr·g/a.
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsArg<RMSpropOptions>, opts: Partial<RMSpropOptions> = {}) {
    super(params, {
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
      ...opts,
    });
  }
  protected override validate(g: ParamGroup<RMSpropOptions>): void {
    super.validate(g);
    if (!(g.alpha >= 0)) throw new ValueError("RMSprop", `invalid alpha ${g.alpha}`);
    if (!(g.eps >= 0)) throw new ValueError("RMSprop", `invalid eps ${g.eps}`);
    if (!(g.momentum >= 0)) throw new ValueError("RMSprop", `invalid momentum ${g.momentum}`);
  }
  protected override initState(p: Tensor, g: ParamGroup<RMSpropOptions>): Record<string, Tensor> {
    const s: Record<string, Tensor> = { squareAvg: zerosLike(p) };
    if (g.momentum > 0) s.momentumBuffer = zerosLike(p);
    if (g.centered) s.gradAvg = zerosLike(p);
    return s;
  }
  protected update({ param, grad, state, group: o, scalar }: UpdateContext<RMSpropOptions>): Update {
    let g = o.maximize ? grad.neg() : grad;
    if (o.weightDecay !== 0) g = g.add(param.mul(o.weightDecay));
    const sq = (state.squareAvg as Tensor).mul(o.alpha).add(g.mul(g).mul(1 - o.alpha));
    const next: Record<string, Tensor> = { squareAvg: sq };
    let avg: Tensor;
    if (o.centered) {
      const ga = (state.gradAvg as Tensor).mul(o.alpha).add(g.mul(1 - o.alpha));
      next.gradAvg = ga;
      avg = sq.sub(ga.mul(ga)).sqrt().add(o.eps);
    } else avg = sq.sqrt().add(o.eps);
    if (o.momentum > 0) {
      const buf = (state.momentumBuffer as Tensor).mul(o.momentum).add(g.div(avg));
      next.momentumBuffer = buf;
      return { param: param.sub(buf.mul(scalar(o.lr))), state: next };
    }
    return { param: param.sub(g.div(avg).mul(scalar(o.lr))), state: next };
  }
}

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/** s ← s + g², p ← p − lr/(1 + (t − 1)·decay) · g / (√s + ε). */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsArg<AdagradOptions>, opts: Partial<AdagradOptions> = {}) {
    super(params, {
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
      ...opts,
    });
  }
  protected override validate(g: ParamGroup<AdagradOptions>): void {
    super.validate(g);
    if (!(g.lrDecay >= 0)) throw new ValueError("Adagrad", `invalid lr decay ${g.lrDecay}`);
    if (!(g.initialAccumulatorValue >= 0))
      throw new ValueError("Adagrad", `invalid initial accumulator value ${g.initialAccumulatorValue}`);
  }
  protected override initState(p: Tensor, g: ParamGroup<AdagradOptions>): Record<string, Tensor> {
    return { sum: fullLike(p, g.initialAccumulatorValue) };
  }
  protected update({ param, grad, state, step, group: o, scalar }: UpdateContext<AdagradOptions>): Update {
    let g = o.maximize ? grad.neg() : grad;
    if (o.weightDecay !== 0) g = g.add(param.mul(o.weightDecay));
    const sum = (state.sum as Tensor).add(g.mul(g));
    const clr = o.lr / (1 + (step - 1) * o.lrDecay);
    return { param: param.sub(g.div(sum.sqrt().add(o.eps)).mul(scalar(clr))), state: { sum } };
  }
}
