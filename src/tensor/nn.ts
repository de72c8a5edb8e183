// Neural-network functions written with primitives (so they get gradients and every backend):
// softmax, logSoftmax, losses, dropout; convolutions and pooling live in conv.ts.
import { isFloat } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { normAxis, shapesEqual } from "../core/shape.js";
import { build } from "../graph/node.js";
import { asTensor, broadcastNode, type TensorLike } from "./convert.js";
import { bernoulli, type RandomKey } from "./create.js";
import { add, astype, div, eq, exp, mul, ne, neg, square, stopGradient, sub, where } from "./math.js";
import { logsumexp, max, mean, sum } from "./reduce.js";
import { reshape } from "./shape.js";
import { Tensor } from "./tensor.js";

export { avgPool2d, conv1d, conv2d, maxPool2d, type ConvOptions, type PoolOptions } from "./conv.js";

const floatOf = (t: Tensor): Tensor => (isFloat(t.dtype) ? t : astype(t, "float32"));

/**
 * softmax(x)ᵢ = e^(xᵢ−m) / Σⱼ e^(xⱼ−m) along `axis`, with m the (gradient-free) maximum so that
 * nothing overflows. The shift cancels exactly, so first and second derivatives are those of the
 * unshifted formula. A non-finite maximum (a row of -Infinity) shifts by 0; that row gives NaN.
 */
export function softmax(x: TensorLike, axis = -1): Tensor {
  const t = floatOf(asTensor(x));
  const a = normAxis("softmax", axis, t.ndim);
  const m = stopGradient(max(t, a, true));
  // m − m is 0 exactly when m is finite (no infinite constant needed)
  const e = exp(sub(t, where(eq(sub(m, m), 0), m, 0)));
  return div(e, sum(e, a, true));
}

/** log softmax(x) = x − logsumexp(x) along `axis` (stable for large |x|). */
export function logSoftmax(x: TensorLike, axis = -1): Tensor {
  const t = floatOf(asTensor(x));
  const a = normAxis("logSoftmax", axis, t.ndim);
  return sub(t, logsumexp(t, a, true));
}

export type Reduction = "mean" | "sum" | "none";

export interface CrossEntropyOptions {
  reduction?: Reduction;
  /** ε in [0, 1]: the target becomes (1−ε)·target + ε/C. */
  labelSmoothing?: number;
  /** Label value whose samples contribute 0 and are left out of the mean (int32 labels only). */
  ignoreIndex?: number;
}

function reduce(op: string, loss: Tensor, reduction: Reduction | undefined, count?: Tensor): Tensor {
  switch (reduction ?? "mean") {
    case "none":
      return loss;
    case "sum":
      return sum(loss);
    case "mean":
      return count ? div(sum(loss), count) : mean(loss);
    default:
      throw new ValueError(op, `reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
  }
}

/**
 * Cross entropy of logits [N, C] (or [N, C, d1, …], or unbatched [C]; the class axis is 1, or 0 for
 * 1-D logits) against int32 class labels of the logits' shape without the class axis, or against
 * float class probabilities of the logits' shape. Labels are matched with a one-hot (cmpeq against
 * the class index); a label outside [0, C) other than `ignoreIndex` selects no class (its
 * log-probability term is 0), since values are not known when the graph is built.
 * Reduction "mean" averages over samples (and d1…), excluding ignored ones.
 */
export function crossEntropy(logits: TensorLike, target: TensorLike, opts: CrossEntropyOptions = {}): Tensor {
  const op = "crossEntropy";
  const z = asTensor(logits);
  if (z.ndim < 1) throw new ShapeError(op, `expected logits [N,C] or [N,C,d1,...] (or [C]), got ${fmtShape(z.shape)}`);
  if (!isFloat(z.dtype)) throw new DTypeError(op, `expected float logits, got ${z.dtype}`);
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new ValueError(op, `labelSmoothing must be in [0, 1], got ${eps}`);
  const ca = z.ndim === 1 ? 0 : 1;
  const c = z.shape[ca] as number;
  const logp = logSoftmax(z, ca);
  const t = asTensor(target);
  const sampleShape = z.shape.filter((_, i) => i !== ca);
  const expected =
    `int32 labels of shape ${fmtShape(sampleShape)} or float probabilities of shape ${fmtShape(z.shape)} ` +
    `for logits ${fmtShape(z.shape)}`;
  let loss: Tensor;
  let valid: Tensor | undefined;
  if (t.dtype === "int32") {
    if (!shapesEqual(t.shape, sampleShape))
      throw new ShapeError(op, `expected ${expected}, got int32 target ${fmtShape(t.shape)}`);
    const lifted = [...sampleShape];
    lifted.splice(ca, 0, 1);
    const labels = broadcastNode(reshape(t, lifted).node, z.shape);
    const classes = build("iota", [], { shape: [...z.shape], axis: ca, dtype: "int32" });
    const hit = new Tensor(build("cmpeq", [labels, classes]));
    // where (not a product with the one-hot) so that a -Infinity logit of another class stays out
    const picked = sum(where(hit, logp, 0), ca);
    loss = eps > 0 ? neg(add(mul(picked, 1 - eps), mul(sum(logp, ca), eps / c))) : neg(picked);
    if (opts.ignoreIndex !== undefined) {
      valid = ne(t, opts.ignoreIndex);
      loss = where(valid, loss, 0);
    }
  } else if (isFloat(t.dtype)) {
    if (!shapesEqual(t.shape, z.shape))
      throw new ShapeError(op, `expected ${expected}, got ${t.dtype} target ${fmtShape(t.shape)}`);
    let q = astype(t, z.dtype);
    if (eps > 0) q = add(mul(q, 1 - eps), eps / c);
    loss = neg(sum(mul(q, logp), ca));
  } else {
    throw new DTypeError(op, `expected ${expected}, got ${t.dtype} target ${fmtShape(t.shape)}`);
  }
  return reduce(op, loss, opts.reduction, valid ? sum(astype(valid, z.dtype)) : undefined);
}

/** Mean squared error (pred − target)² of equal shapes, reduced by `reduction` (default "mean"). */
export function mse(pred: TensorLike, target: TensorLike, opts: { reduction?: Reduction } = {}): Tensor {
  const p = asTensor(pred);
  const t = asTensor(target);
  if (!shapesEqual(p.shape, t.shape))
    throw new ShapeError(
      "mse",
      `expected target of the prediction's shape ${fmtShape(p.shape)}, got ${fmtShape(t.shape)}`,
    );
  return reduce("mse", square(sub(floatOf(p), floatOf(t))), opts.reduction);
}

/**
 * Zeroes elements with probability p and scales the rest by 1/(1−p), so the expectation is kept;
 * identity when `training` is false. The mask is drawn from `key` (the same key gives the same
 * mask) or from the global generator (see `seed`).
 */
export function dropout(x: TensorLike, p = 0.5, opts: { training?: boolean; key?: RandomKey } = {}): Tensor {
  const t = asTensor(x);
  if (!(p >= 0 && p <= 1)) throw new ValueError("dropout", `p must be in [0, 1], got ${p}`);
  if (opts.training === false || p === 0) return t;
  const f = floatOf(t);
  if (p === 1) return mul(f, 0);
  const keep = bernoulli(1 - p, f.shape, opts.key ? { key: opts.key } : {});
  return where(keep, mul(f, 1 / (1 - p)), 0);
}
