// Multi-head attention (PyTorch's nn.MultiheadAttention): packed in-projection [3E, E], scaled dot
// products per head, boolean or additive masks, and an output projection.
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { arange, zeros } from "../tensor/create.js";
import { matmul } from "../tensor/linalg.js";
import { add, gt, where } from "../tensor/math.js";
import { dropout, softmax } from "../tensor/nn.js";
import { mean } from "../tensor/reduce.js";
import { permute, reshape, squeeze, swapaxes, unsqueeze } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { linear } from "./functional.js";
import { xavierUniform_, zeros_ } from "./init.js";
import { Linear } from "./linear.js";
import { Module, parameter } from "./module.js";

export interface AttentionOptions {
  /**
   * [L, S] or [N·heads, L, S]: a bool mask (true = may not attend, as in PyTorch) or a float mask
   * added to the scores.
   */
  mask?: Tensor | null;
  /** [N, S] bool: true marks keys to ignore (padding). */
  keyPaddingMask?: Tensor | null;
  /** Mask out future positions (key j > query i). */
  isCausal?: boolean;
  /** Return the weights averaged over heads [N, L, S] (default) or per head [N, heads, L, S]. */
  averageAttnWeights?: boolean;
}

/** softmax(q·kᵀ/√d + mask)·v over `numHeads` heads of size embedDim/numHeads. */
export class MultiHeadAttention extends Module<
  [query: Tensor, key: Tensor, value: Tensor, opts?: AttentionOptions],
  [Tensor, Tensor]
> {
  inProjWeight: Tensor;
  inProjBias: Tensor | null;
  outProj: Linear;
  readonly headDim: number;
  readonly batchFirst: boolean;
  readonly dropoutP: number;
  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    opts: { batchFirst?: boolean; bias?: boolean; dropout?: number } = {},
  ) {
    super();
    if (!Number.isInteger(embedDim) || !Number.isInteger(numHeads) || numHeads < 1 || embedDim % numHeads)
      throw new ValueError("MultiHeadAttention", `embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropoutP = opts.dropout ?? 0;
    const bias = opts.bias ?? true;
    this.inProjWeight = xavierUniform_(parameter(zeros([3 * embedDim, embedDim])));
    this.inProjBias = bias ? parameter(zeros([3 * embedDim])) : null;
    this.outProj = new Linear(embedDim, embedDim, { bias });
    if (this.outProj.bias) zeros_(this.outProj.bias);
  }

  /**
   * query [L, N, E], key and value [S, N, E] ([N, L, E] with batchFirst; or unbatched [L, E]) →
   * [output like query, attention weights [N, L, S]].
   */
  override forward(query: Tensor, key: Tensor, value: Tensor, opts: AttentionOptions = {}): [Tensor, Tensor] {
    const e = this.embedDim;
    const unbatched = query.ndim === 2;
    for (const [n, t] of [
      ["query", query],
      ["key", key],
      ["value", value],
    ] as const)
      if (t.ndim !== query.ndim || (t.ndim !== 3 && t.ndim !== 2) || t.shape[t.ndim - 1] !== e)
        throw new ShapeError(
          "MultiHeadAttention",
          `${n} must be [L, N, ${e}] like the others, got ${fmtShape(t.shape)}`,
        );
    // work batch-first: [N, L, E]
    const bf = (t: Tensor): Tensor => (unbatched ? unsqueeze(t, 0) : this.batchFirst ? t : swapaxes(t, 0, 1));
    const [q0, k0, v0] = [bf(query), bf(key), bf(value)];
    const [nb, l] = q0.shape as [number, number];
    const s = k0.shape[1] as number;
    const [wq, wk, wv] = this.inProjWeight.split(3, 0) as [Tensor, Tensor, Tensor];
    const [bq, bk, bv] = (this.inProjBias?.split(3, 0) ?? [null, null, null]) as [
      Tensor | null,
      Tensor | null,
      Tensor | null,
    ];
    const heads = (t: Tensor, len: number): Tensor =>
      permute(reshape(t, [nb, len, this.numHeads, this.headDim]), [0, 2, 1, 3]); // [N, H, len, D]
    const q = heads(linear(q0, wq, bq), l);
    const k = heads(linear(k0, wk, bk), s);
    const v = heads(linear(v0, wv, bv), s);
    let scores = matmul(q, swapaxes(k, 2, 3)).mul(1 / Math.sqrt(this.headDim)); // [N, H, L, S]
    scores = this.#mask(scores, opts, nb, l, s);
    let weights = softmax(scores, -1);
    const used = this.dropoutP > 0 && this.training ? dropout(weights, this.dropoutP, { training: true }) : weights;
    const ctx = reshape(permute(matmul(used, v), [0, 2, 1, 3]), [nb, l, e]);
    let out = this.outProj.call(ctx);
    out = unbatched ? squeeze(out, 0) : this.batchFirst ? out : swapaxes(out, 0, 1);
    weights = (opts.averageAttnWeights ?? true) ? mean(weights, 1) : weights;
    return [out, unbatched ? squeeze(weights, 0) : weights];
  }

  #mask(scores: Tensor, opts: AttentionOptions, n: number, l: number, s: number): Tensor {
    let out = scores;
    const apply = (m: Tensor): void => {
      out = m.dtype === "bool" ? where(m, -Infinity, out) : add(out, m.astype(out.dtype));
    };
    if (opts.mask) {
      const m = opts.mask;
      if (m.ndim === 2 && m.shape.join() === [l, s].join()) apply(m);
      else if (m.ndim === 3 && m.shape.join() === [n * this.numHeads, l, s].join())
        apply(reshape(m, [n, this.numHeads, l, s]));
      else
        throw new ShapeError(
          "MultiHeadAttention",
          `mask must be [${l}, ${s}] or [${n * this.numHeads}, ${l}, ${s}], got ${fmtShape(m.shape)}`,
        );
    }
    if (opts.keyPaddingMask) {
      const m = opts.keyPaddingMask;
      if (m.shape.join() !== [n, s].join())
        throw new ShapeError("MultiHeadAttention", `keyPaddingMask must be [${n}, ${s}], got ${fmtShape(m.shape)}`);
      apply(reshape(m.astype("bool"), [n, 1, 1, s]));
    }
    if (opts.isCausal) apply(gt(reshape(arange(s), [1, s]), reshape(arange(l), [l, 1])));
    return out;
  }
}
