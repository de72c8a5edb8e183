// Normalization layers: BatchNorm1d/2d (batch statistics in training, running ones in eval, updated
// like PyTorch: biased variance to normalize, unbiased for the running estimate) and LayerNorm.
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { full, ones, zeros } from "../tensor/create.js";
import { add, mul, stopGradient } from "../tensor/math.js";
import { tidy } from "../tensor/memory.js";
import { mean, variance } from "../tensor/reduce.js";
import { reshape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { batchNorm, layerNorm } from "./functional.js";
import { Module, parameter } from "./module.js";

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch in the running statistics; null for a cumulative average. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class BatchNormBase extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  runningMean: Tensor | null = null;
  runningVar: Tensor | null = null;
  numBatchesTracked: Tensor | null = null;
  readonly eps: number;
  readonly momentum: number | null;
  constructor(
    readonly numFeatures: number,
    opts: BatchNormOptions,
    private readonly ranks: readonly number[],
  ) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1)
      throw new ValueError(this.constructor.name, `numFeatures must be a positive integer, got ${numFeatures}`);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    const affine = opts.affine ?? true;
    this.weight = affine ? parameter(ones([numFeatures])) : null;
    this.bias = affine ? parameter(zeros([numFeatures])) : null;
    if (opts.trackRunningStats ?? true) {
      this.registerBuffer("runningMean", zeros([numFeatures]));
      this.registerBuffer("runningVar", ones([numFeatures]));
      this.registerBuffer("numBatchesTracked", full([], 0, { dtype: "int32" }));
    }
  }

  /** Resets the running statistics to mean 0, variance 1. */
  resetRunningStats(): void {
    tidy(() => {
      this.runningMean?.assign(zeros([this.numFeatures], { dtype: this.runningMean.dtype }));
      this.runningVar?.assign(ones([this.numFeatures], { dtype: this.runningVar.dtype }));
      this.numBatchesTracked?.assign(full([], 0, { dtype: "int32" }));
    });
  }

  override forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.ndim) || x.shape[1] !== this.numFeatures)
      throw new ShapeError(
        this.constructor.name,
        `expected input of rank ${this.ranks.join(" or ")} with ${this.numFeatures} channels on axis 1, got ${fmtShape(x.shape)}`,
      );
    const rm = this.runningMean;
    const rv = this.runningVar;
    if (!this.training && rm && rv) return batchNorm(x, { mean: rm, var: rv }, this.weight, this.bias, this.eps);
    if (this.training && rm && rv) this.#updateRunningStats(x, rm, rv);
    return batchNorm(x, null, this.weight, this.bias, this.eps);
  }

  #updateRunningStats(x: Tensor, rm: Tensor, rv: Tensor): void {
    const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const n = x.size / this.numFeatures;
    tidy(() => {
      const nbt = this.numBatchesTracked;
      nbt?.assign(add(nbt, 1));
      // a cumulative average (momentum null) weighs batch k by 1/k
      const m = this.momentum ?? 1 / (nbt ? (nbt.item() as number) : 1);
      const xs = stopGradient(x);
      const bm = reshape(mean(xs, axes), [this.numFeatures]);
      // unbiased variance for the running estimate: biased · n / (n − 1)
      const bv = reshape(variance(xs, axes, { correction: n > 1 ? 1 : 0 }), [this.numFeatures]);
      rm.assign(add(mul(rm, 1 - m), mul(bm.astype(rm.dtype), m)));
      rv.assign(add(mul(rv, 1 - m), mul(bv.astype(rv.dtype), m)));
    });
  }
}

/** Batch norm over x [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts, [2, 3]);
  }
}

/** Batch norm over x [N, C, H, W]. */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts, [4]);
  }
}

export interface LayerNormOptions {
  eps?: number;
  /** Learnable per-element weight (ones) and bias (zeros); default true. */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, whether there is a bias (default true). */
  bias?: boolean;
}

/** Normalizes over the trailing dims `normalizedShape` (biased variance). */
export class LayerNorm extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? parameter(ones(this.normalizedShape)) : null;
    this.bias = affine && (opts.bias ?? true) ? parameter(zeros(this.normalizedShape)) : null;
  }
  override forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}
