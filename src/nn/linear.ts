// Basic layers: Linear, Identity, Flatten and Embedding.
import { ValueError } from "../core/errors.js";
import { zeros } from "../tensor/create.js";
import { flatten } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { embedding, linear } from "./functional.js";
import { defaultLinearInit, normal_ } from "./init.js";
import { Module, parameter } from "./module.js";

function checkSize(op: string, name: string, n: number): void {
  if (!Number.isInteger(n) || n <= 0) throw new ValueError(op, `${name} must be a positive integer, got ${n}`);
}

/** y = x·Wᵀ + b with weight [out, in] and bias [out] (PyTorch's default initialization). */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: { bias?: boolean } = {},
  ) {
    super();
    checkSize("Linear", "inFeatures", inFeatures);
    checkSize("Linear", "outFeatures", outFeatures);
    this.weight = parameter(zeros([outFeatures, inFeatures]));
    this.bias = (opts.bias ?? true) ? parameter(zeros([outFeatures])) : null;
    defaultLinearInit(this.weight, this.bias);
  }
  override forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

/** Returns its input. */
export class Identity extends Module {
  override forward(x: Tensor): Tensor {
    return x;
  }
}

/** Flattens dims startDim…endDim into one (default: all but the batch dim). */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
}

/** A lookup table: integer indices [...] → rows of weight [num, dim] (initialized N(0, 1)). */
export class Embedding extends Module {
  weight: Tensor;
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
  ) {
    super();
    checkSize("Embedding", "numEmbeddings", numEmbeddings);
    checkSize("Embedding", "embeddingDim", embeddingDim);
    this.weight = normal_(parameter(zeros([numEmbeddings, embeddingDim])));
  }
  override forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight);
  }
}
