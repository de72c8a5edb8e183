// nb.nn.functional: the stateless forms of the layers. The tensor-level nn functions, activations,
// losses, and the functional linear / norm / recurrent-cell forms the modules are built from.
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { asTensor, type TensorLike } from "../tensor/convert.js";
import { arange } from "../tensor/create.js";
import { matmul } from "../tensor/linalg.js";
import { abs, add, eq, exp, log1p, maximum, mul, neg, rsqrt, sigmoid, sub, tanh, where } from "../tensor/math.js";
import { mean, sum, variance } from "../tensor/reduce.js";
import { reshape, swapaxes, unsqueeze } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";

export {
  softmax,
  logSoftmax,
  crossEntropy,
  mse,
  conv1d,
  conv2d,
  maxPool2d,
  avgPool2d,
  dropout,
  type CrossEntropyOptions,
  type ConvOptions,
  type PoolOptions,
} from "../tensor/nn.js";
export { relu, leakyRelu, elu, gelu, silu, sigmoid, tanh, softplus } from "../tensor/math.js";

export type Reduction = "mean" | "sum" | "none";
export interface LossOptions {
  reduction?: Reduction;
}

function reduce(x: Tensor, reduction: Reduction = "mean"): Tensor {
  if (reduction === "none") return x;
  return reduction === "sum" ? sum(x) : mean(x);
}
function sameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.join() !== b.shape.join())
    throw new ShapeError(op, `input ${fmtShape(a.shape)} and target ${fmtShape(b.shape)} must have the same shape`);
}

/** Mean absolute error |pred − target|. */
export function l1(pred: TensorLike, target: TensorLike, opts: LossOptions = {}): Tensor {
  const [p, t] = [asTensor(pred), asTensor(target)];
  sameShape("l1", p, t);
  return reduce(abs(sub(p, t)), opts.reduction);
}

/** Huber loss: ½d²/δ where |d| < δ, |d| − ½δ elsewhere (δ = beta; PyTorch's smooth_l1). */
export function smoothL1(pred: TensorLike, target: TensorLike, opts: LossOptions & { beta?: number } = {}): Tensor {
  const [p, t] = [asTensor(pred), asTensor(target)];
  sameShape("smoothL1", p, t);
  const beta = opts.beta ?? 1;
  const d = abs(sub(p, t));
  const loss = beta > 0 ? where(d.lt(beta), mul(mul(d, d), 0.5 / beta), sub(d, 0.5 * beta)) : d;
  return reduce(loss, opts.reduction);
}

/**
 * Binary cross entropy on logits, computed stably as max(x, 0) − x·y + log1p(e^(−|x|)).
 * `posWeight` multiplies the positive term (the log-sigmoid part for y = 1).
 */
export function binaryCrossEntropyWithLogits(
  logits: TensorLike,
  target: TensorLike,
  opts: LossOptions & { posWeight?: TensorLike } = {},
): Tensor {
  const [x, y] = [asTensor(logits), asTensor(target).astype(asTensor(logits).dtype)];
  sameShape("binaryCrossEntropyWithLogits", x, y);
  // softplus(-x) = log(1 + e^(-x)) = max(-x, 0) + log1p(e^(-|x|))
  const spNeg = add(maximum(neg(x), 0), log1p(exp(neg(abs(x)))));
  if (opts.posWeight === undefined) return reduce(add(mul(sub(1, y), x), spNeg), opts.reduction);
  // (1 − y)·x + (1 + (w − 1)·y)·softplus(−x)
  const w = add(mul(sub(opts.posWeight, 1), y), 1);
  return reduce(add(mul(sub(1, y), x), mul(w, spNeg)), opts.reduction);
}

/** Binary cross entropy on probabilities, with logs clamped at −100 like PyTorch. */
export function binaryCrossEntropy(prob: TensorLike, target: TensorLike, opts: LossOptions = {}): Tensor {
  const [p, y] = [asTensor(prob), asTensor(target).astype(asTensor(prob).dtype)];
  sameShape("binaryCrossEntropy", p, y);
  const lp = p.log().maximum(-100);
  const lq = neg(p).log1p().maximum(-100);
  return reduce(neg(add(mul(y, lp), mul(sub(1, y), lq))), opts.reduction);
}

/**
 * Negative log likelihood: −logProbs[n, target[n]] for logProbs [N, C] (or [N, C, d…]) and
 * integer labels [N] (or [N, d…]). Labels equal to `ignoreIndex` count for nothing.
 */
export function nll(
  logProbs: TensorLike,
  target: TensorLike,
  opts: LossOptions & { ignoreIndex?: number; weight?: TensorLike } = {},
): Tensor {
  const lp = asTensor(logProbs);
  const t = asTensor(target);
  if (lp.ndim < 2 || t.ndim !== lp.ndim - 1 || t.shape.some((d, i) => d !== lp.shape[i === 0 ? 0 : i + 1]))
    throw new ShapeError(
      "nll",
      `expected log-probabilities [N, C, ...] and labels [N, ...], got ${fmtShape(lp.shape)} and ${fmtShape(t.shape)}`,
    );
  const c = lp.shape[1] as number;
  const classes = reshape(arange(c), [c, ...lp.shape.slice(2).map(() => 1)]);
  const hit = eq(unsqueeze(t.astype("int32"), 1), classes); // [N, C, d…]
  let w: Tensor = hit.astype(lp.dtype);
  if (opts.weight !== undefined) {
    const cw = asTensor(opts.weight).astype(lp.dtype);
    if (cw.ndim !== 1 || cw.shape[0] !== c)
      throw new ShapeError("nll", `weight must have shape [${c}], got ${fmtShape(cw.shape)}`);
    w = mul(w, reshape(cw, [c, ...lp.shape.slice(2).map(() => 1)]));
  }
  if (opts.ignoreIndex !== undefined) w = mul(w, unsqueeze(t.ne(opts.ignoreIndex), 1).astype(lp.dtype));
  const picked = neg(sum(mul(lp, w), 1)); // [N, d…]
  const reduction = opts.reduction ?? "mean";
  if (reduction !== "mean") return reduce(picked, reduction);
  // the mean is weighted: Σ loss / Σ weight of the counted samples (PyTorch)
  return sum(picked).div(sum(w));
}

/** y = x·Wᵀ + b for weight [out, in]. */
export function linear(x: TensorLike, weight: TensorLike, bias?: TensorLike | null): Tensor {
  const y = matmul(x, swapaxes(weight, 0, 1));
  return bias === undefined || bias === null ? y : add(y, bias);
}

/** Normalizes over the trailing dims given by `normalizedShape` (biased variance), then scales and shifts. */
export function layerNorm(
  x: TensorLike,
  normalizedShape: readonly number[],
  weight?: TensorLike | null,
  bias?: TensorLike | null,
  eps = 1e-5,
): Tensor {
  const t = asTensor(x);
  const k = normalizedShape.length;
  if (k > t.ndim || normalizedShape.some((d, i) => t.shape[t.ndim - k + i] !== d))
    throw new ShapeError("layerNorm", `input ${fmtShape(t.shape)} does not end with ${fmtShape(normalizedShape)}`);
  const axes = normalizedShape.map((_, i) => t.ndim - k + i);
  const mu = mean(t, axes, true);
  const v = variance(t, axes, { keepdims: true });
  let y = mul(sub(t, mu), rsqrt(add(v, eps)));
  if (weight !== undefined && weight !== null) y = mul(y, weight);
  return bias === undefined || bias === null ? y : add(y, bias);
}

/**
 * Batch normalization of x [N, C, ...] with the given per-channel statistics (or, when omitted,
 * the batch's own: mean and biased variance over every axis but 1).
 */
export function batchNorm(
  x: TensorLike,
  stats: { mean: TensorLike; var: TensorLike } | null,
  weight?: TensorLike | null,
  bias?: TensorLike | null,
  eps = 1e-5,
): Tensor {
  const t = asTensor(x);
  if (t.ndim < 2) throw new ShapeError("batchNorm", `expected input [N, C, ...], got ${fmtShape(t.shape)}`);
  const c = t.shape[1] as number;
  const chan = [1, c, ...t.shape.slice(2).map(() => 1)];
  const axes = t.shape.map((_, i) => i).filter((i) => i !== 1);
  const mu = stats ? reshape(stats.mean, chan) : mean(t, axes, true);
  const v = stats ? reshape(stats.var, chan) : variance(t, axes, { keepdims: true });
  let y = mul(sub(t, mu), rsqrt(add(v, eps)));
  if (weight !== undefined && weight !== null) y = mul(y, reshape(weight, chan));
  return bias === undefined || bias === null ? y : add(y, reshape(bias, chan));
}

/** Rows of `weight` [num, dim] picked by integer `indices` (any shape): out [...indices, dim]. */
export function embedding(indices: TensorLike, weight: TensorLike): Tensor {
  const w = asTensor(weight);
  const idx = asTensor(indices);
  if (idx.dtype !== "int32") throw new ValueError("embedding", `indices must be int32, got ${idx.dtype}`);
  return w.take(idx, 0);
}

// ---- recurrent cells (gate order and equations as in PyTorch) ----

/** h' = act(x·Wihᵀ + bih + h·Whhᵀ + bhh). `xProj` may carry x·Wihᵀ + bih precomputed. */
export function rnnCell(
  x: Tensor | null,
  h: Tensor,
  wIh: Tensor,
  wHh: Tensor,
  bIh: Tensor | null = null,
  bHh: Tensor | null = null,
  nonlinearity: "tanh" | "relu" = "tanh",
  xProj?: Tensor,
): Tensor {
  const pre = add(xProj ?? linear(x as Tensor, wIh, bIh), linear(h, wHh, bHh));
  return nonlinearity === "tanh" ? tanh(pre) : pre.relu();
}

/**
 * LSTM step: gates i, f, g, o from x·Wihᵀ + bih + h·Whhᵀ + bhh (in that order along the 4H axis);
 * c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'). `xProj` may carry x·Wihᵀ + bih precomputed.
 */
export function lstmCell(
  x: Tensor | null,
  [h, c]: readonly [Tensor, Tensor],
  wIh: Tensor,
  wHh: Tensor,
  bIh: Tensor | null = null,
  bHh: Tensor | null = null,
  xProj?: Tensor,
): [Tensor, Tensor] {
  const gx = xProj ?? linear(x as Tensor, wIh, bIh);
  const [i, f, g, o] = gx.add(linear(h, wHh, bHh)).split(4, -1) as [Tensor, Tensor, Tensor, Tensor];
  const c2 = add(mul(sigmoid(f), c), mul(sigmoid(i), tanh(g)));
  return [mul(sigmoid(o), tanh(c2)), c2];
}

/**
 * GRU step (gates r, z, n): r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r·hn),
 * h' = (1 − z)·n + z·h, where x· = x·Wihᵀ + bih and h· = h·Whhᵀ + bhh split in three.
 */
export function gruCell(
  x: Tensor | null,
  h: Tensor,
  wIh: Tensor,
  wHh: Tensor,
  bIh: Tensor | null = null,
  bHh: Tensor | null = null,
  xProj?: Tensor,
): Tensor {
  const [xr, xz, xn] = (xProj ?? linear(x as Tensor, wIh, bIh)).split(3, -1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = linear(h, wHh, bHh).split(3, -1) as [Tensor, Tensor, Tensor];
  const r = sigmoid(add(xr, hr));
  const z = sigmoid(add(xz, hz));
  const n = tanh(add(xn, mul(r, hn)));
  return add(mul(sub(1, z), n), mul(z, h));
}
