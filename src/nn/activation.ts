// Activation modules (stateless wrappers over the tensor functions), Softmax/LogSoftmax and Dropout.
import { ValueError } from "../core/errors.js";
import type { RandomKey } from "../tensor/create.js";
import { elu, gelu, leakyRelu, relu, sigmoid, silu, softplus, tanh } from "../tensor/math.js";
import { dropout, logSoftmax, softmax } from "../tensor/nn.js";
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

export class ReLU extends Module {
  override forward(x: Tensor): Tensor {
    return relu(x);
  }
}
export class Tanh extends Module {
  override forward(x: Tensor): Tensor {
    return tanh(x);
  }
}
export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}
export class SiLU extends Module {
  override forward(x: Tensor): Tensor {
    return silu(x);
  }
}
export class Softplus extends Module {
  override forward(x: Tensor): Tensor {
    return softplus(x);
  }
}
export class GELU extends Module {
  constructor(readonly approximate: "none" | "tanh" = "none") {
    super();
  }
  override forward(x: Tensor): Tensor {
    return gelu(x, this.approximate);
  }
}
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
}
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
}
export class Softmax extends Module {
  constructor(readonly axis = -1) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return softmax(x, this.axis);
  }
}
export class LogSoftmax extends Module {
  constructor(readonly axis = -1) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return logSoftmax(x, this.axis);
  }
}

/**
 * Zeroes each element with probability p and scales the rest by 1/(1−p) in training mode; the
 * identity in eval mode. Draws from the global generator (`nb.seed`) or from `key`, split per call.
 */
export class Dropout extends Module {
  #key: RandomKey | undefined;
  constructor(
    readonly p = 0.5,
    opts: { key?: RandomKey } = {},
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError("Dropout", `p must be in [0, 1], got ${p}`);
    this.#key = opts.key;
  }
  override forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    let key: RandomKey | undefined;
    if (this.#key) [this.#key, key] = this.#key.split(2) as [RandomKey, RandomKey];
    return dropout(x, this.p, key ? { training: true, key } : { training: true });
  }
}
