// Neural-network functions written with primitives (so they get gradients and every backend):
// softmax, logSoftmax, losses, convolutions, pooling, dropout.
import { NablaError } from "../core/errors.js";
import type { TensorLike } from "./convert.js";
import type { RandomKey } from "./create.js";
import type { Tensor } from "./tensor.js";

const todo = (op: string): never => {
  throw new NablaError(op, "not available yet");
};

export function softmax(_x: TensorLike, _axis = -1): Tensor {
  return todo("softmax");
}
export function logSoftmax(_x: TensorLike, _axis = -1): Tensor {
  return todo("logSoftmax");
}
export interface CrossEntropyOptions {
  reduction?: "mean" | "sum" | "none";
  labelSmoothing?: number;
}
/** Cross entropy of logits [N, C] (or [N, C, ...]) against int32 class labels or class probabilities. */
export function crossEntropy(_logits: TensorLike, _target: TensorLike, _opts: CrossEntropyOptions = {}): Tensor {
  return todo("crossEntropy");
}
export function mse(
  _pred: TensorLike,
  _target: TensorLike,
  _opts: { reduction?: "mean" | "sum" | "none" } = {},
): Tensor {
  return todo("mse");
}
export interface ConvOptions {
  stride?: number | readonly number[];
  padding?: number | readonly number[] | "same" | "valid";
  dilation?: number | readonly number[];
  groups?: number;
}
/** 1-D convolution, x [N, C, L], w [O, C/groups, K], optional bias [O]. */
export function conv1d(_x: TensorLike, _w: TensorLike, _bias?: TensorLike | null, _opts: ConvOptions = {}): Tensor {
  return todo("conv1d");
}
/** 2-D convolution, x [N, C, H, W] (NCHW), w [O, C/groups, KH, KW], optional bias [O]. */
export function conv2d(_x: TensorLike, _w: TensorLike, _bias?: TensorLike | null, _opts: ConvOptions = {}): Tensor {
  return todo("conv2d");
}
export interface PoolOptions {
  stride?: number | readonly number[];
  padding?: number | readonly number[];
}
export function maxPool2d(_x: TensorLike, _kernel: number | readonly number[], _opts: PoolOptions = {}): Tensor {
  return todo("maxPool2d");
}
export function avgPool2d(_x: TensorLike, _kernel: number | readonly number[], _opts: PoolOptions = {}): Tensor {
  return todo("avgPool2d");
}
/** Zeroes elements with probability p and scales the rest by 1/(1-p); identity when not training. */
export function dropout(_x: TensorLike, _p = 0.5, _opts: { training?: boolean; key?: RandomKey } = {}): Tensor {
  return todo("dropout");
}
