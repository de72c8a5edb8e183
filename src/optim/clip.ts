// Gradient clipping on `.grad`: by global norm (returns the norm before clipping) and by value.
import { ValueError } from "../core/errors.js";
import { tidy } from "../tensor/memory.js";
import { abs } from "../tensor/math.js";
import { max, sum } from "../tensor/reduce.js";
import { Tensor, realizeAll } from "../tensor/tensor.js";

const gradsOf = (params: Iterable<Tensor> | Tensor): Tensor[] =>
  [...(params instanceof Tensor ? [params] : params)].flatMap((p) => (p.grad && !p.grad.isDisposed ? [p.grad] : []));

/**
 * Scales all gradients by maxNorm / (norm + 1e-6) when their joint norm (of order `normType`: 2,
 * 1, Infinity, …) exceeds maxNorm. Returns the norm before clipping.
 */
export function clipGradNorm(
  params: Iterable<Tensor> | Tensor,
  maxNorm: number,
  opts: { normType?: number; errorIfNonfinite?: boolean } = {},
): number {
  const p = opts.normType ?? 2;
  if (!(p > 0)) throw new ValueError("clipGradNorm", `normType must be positive, got ${p}`);
  const grads = gradsOf(params);
  if (!grads.length) return 0;
  return tidy(() => {
    const parts = grads.map((g) => {
      const a = abs(g);
      return p === Infinity ? max(a) : sum(p === 1 ? a : p === 2 ? a.mul(a) : a.pow(p));
    });
    const total =
      p === Infinity ? parts.reduce((a, b) => a.maximum(b)) : parts.reduce((a, b) => a.add(b)).pow(p === 1 ? 1 : 1 / p);
    const norm = total.item() as number;
    if (opts.errorIfNonfinite && !Number.isFinite(norm))
      throw new ValueError("clipGradNorm", `the total norm of the gradients is ${norm}`);
    const coef = maxNorm / (norm + 1e-6);
    if (coef < 1) {
      const scaled = grads.map((g) => g.mul(coef));
      realizeAll(...scaled);
      grads.forEach((g, i) => g.assign(scaled[i] as Tensor));
    }
    return norm;
  });
}

/** Clamps every gradient element into [−clipValue, clipValue]. */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  tidy(() => {
    for (const g of gradsOf(params)) g.assign(g.clamp(-clipValue, clipValue));
  });
}
