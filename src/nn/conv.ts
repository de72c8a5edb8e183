// Convolution and pooling layers over the tensor-level conv/pool functions; adaptive average pooling
// as two constant averaging matrices (out = Pₕ · x · P_wᵀ), so it needs nothing beyond matmul.
import { ValueError, ShapeError, fmtShape } from "../core/errors.js";
import { fromArray } from "../tensor/convert.js";
import { zeros } from "../tensor/create.js";
import { matmul } from "../tensor/linalg.js";
import { avgPool2d, conv1d, conv2d, maxPool2d, type ConvOptions } from "../tensor/nn.js";
import { mean } from "../tensor/reduce.js";
import type { Tensor } from "../tensor/tensor.js";
import { allocArray } from "../core/dtype.js";
import { defaultLinearInit } from "./init.js";
import { Module, parameter } from "./module.js";

type Size = number | readonly number[];
export interface ConvLayerOptions {
  stride?: Size;
  padding?: Size | "same" | "valid";
  dilation?: Size;
  groups?: number;
  bias?: boolean;
}

const tuple = (s: Size, n: number): number[] => (typeof s === "number" ? new Array<number>(n).fill(s) : [...s]);

abstract class ConvNd extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly kernelSize: number[];
  protected readonly conv: ConvOptions;
  constructor(
    op: string,
    readonly inChannels: number,
    readonly outChannels: number,
    kernel: Size,
    dims: number,
    opts: ConvLayerOptions,
  ) {
    super();
    const groups = opts.groups ?? 1;
    if (!Number.isInteger(groups) || groups < 1 || inChannels % groups || outChannels % groups)
      throw new ValueError(op, `groups ${groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
    this.kernelSize = tuple(kernel, dims);
    if (this.kernelSize.length !== dims || this.kernelSize.some((k) => !Number.isInteger(k) || k < 1))
      throw new ValueError(op, `kernel size must be ${dims} positive integers, got ${JSON.stringify(kernel)}`);
    this.weight = parameter(zeros([outChannels, inChannels / groups, ...this.kernelSize]));
    this.bias = (opts.bias ?? true) ? parameter(zeros([outChannels])) : null;
    defaultLinearInit(this.weight, this.bias);
    this.conv = {
      stride: opts.stride ?? 1,
      padding: opts.padding ?? 0,
      dilation: opts.dilation ?? 1,
      groups,
    };
  }
}

/** 1-D convolution over x [N, C, L] with weight [out, in/groups, k]. */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, opts: ConvLayerOptions = {}) {
    super("Conv1d", inChannels, outChannels, kernelSize, 1, opts);
  }
  override forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, this.conv);
  }
}

/** 2-D convolution over x [N, C, H, W] with weight [out, in/groups, kh, kw]. */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, opts: ConvLayerOptions = {}) {
    super("Conv2d", inChannels, outChannels, kernelSize, 2, opts);
  }
  override forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.conv);
  }
}

export interface PoolLayerOptions {
  /** Default: the kernel size. */
  stride?: Size;
  padding?: Size;
}

/** Max over windows of x [N, C, H, W]. */
export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: Size,
    readonly opts: PoolLayerOptions = {},
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, {
      stride: this.opts.stride ?? this.kernelSize,
      padding: this.opts.padding ?? 0,
    });
  }
}

/** Mean over windows of x [N, C, H, W] (padding counts as zeros, as in PyTorch's default). */
export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: Size,
    readonly opts: PoolLayerOptions = {},
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, {
      stride: this.opts.stride ?? this.kernelSize,
      padding: this.opts.padding ?? 0,
    });
  }
}

/**
 * [out, n] averaging matrix for adaptive pooling: row i averages inputs
 * floor(i·n/out) … ceil((i+1)·n/out) − 1 (PyTorch's windows).
 */
export function adaptiveWindows(n: number, out: number): number[][] {
  return Array.from({ length: out }, (_, i) => {
    const lo = Math.floor((i * n) / out);
    const hi = Math.ceil(((i + 1) * n) / out);
    return Array.from({ length: n }, (_, j) => (j >= lo && j < hi ? 1 / (hi - lo) : 0));
  });
}

/** Average pooling to a fixed output size [oh, ow] (null keeps that input size) over x [N, C, H, W]. */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: readonly (number | null)[];
  constructor(outputSize: number | readonly (number | null)[]) {
    super();
    this.outputSize = typeof outputSize === "number" ? [outputSize, outputSize] : [...outputSize];
    if (this.outputSize.length !== 2 || this.outputSize.some((s) => s !== null && (!Number.isInteger(s) || s < 1)))
      throw new ValueError(
        "AdaptiveAvgPool2d",
        `output size must be two positive integers, got ${JSON.stringify(outputSize)}`,
      );
  }
  override forward(x: Tensor): Tensor {
    if (x.ndim !== 4 && x.ndim !== 3)
      throw new ShapeError("AdaptiveAvgPool2d", `expected input [N, C, H, W] or [C, H, W], got ${fmtShape(x.shape)}`);
    const [h, w] = x.shape.slice(-2) as [number, number];
    const oh = this.outputSize[0] ?? h;
    const ow = this.outputSize[1] ?? w;
    if (oh === 1 && ow === 1) return mean(x, [-2, -1], true);
    const mat = (rows: number[][], r: number, c: number): Tensor => {
      const a = allocArray(x.dtype, r * c);
      rows.flat().forEach((v, i) => (a[i] = v));
      return fromArray(a, [r, c], x.dtype);
    };
    let y = x;
    if (ow !== w) y = matmul(y, mat(adaptiveWindows(w, ow), ow, w).transpose());
    if (oh !== h) y = matmul(mat(adaptiveWindows(h, oh), oh, h), y);
    return y;
  }
}
