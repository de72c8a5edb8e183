// Parameter initialization (PyTorch's nn.init): each fills a tensor in place from nabla's seeded
// generator (`nb.seed(n)`, or an explicit `key`) and returns it.
import { ValueError, fmtShape } from "../core/errors.js";
import type { RandomKey } from "../tensor/create.js";
import { full, normal, uniform } from "../tensor/create.js";
import { tidy } from "../tensor/memory.js";
import type { Tensor } from "../tensor/tensor.js";

export interface InitOptions {
  /** Draw from this key instead of the global generator. */
  key?: RandomKey;
}
export type Nonlinearity = "linear" | "conv1d" | "conv2d" | "sigmoid" | "tanh" | "relu" | "leakyRelu" | "selu";
export type FanMode = "fanIn" | "fanOut";

/** [fanIn, fanOut] of a weight [out, in, ...kernel]: in·k and out·k (k: the receptive field size). */
export function calculateFanInAndFanOut(shape: readonly number[]): [number, number] {
  if (shape.length < 2)
    throw new ValueError("init", `fan in and fan out need a tensor of at least 2 dims, got ${fmtShape(shape)}`);
  const k = shape.slice(2).reduce((a, b) => a * b, 1);
  return [(shape[1] as number) * k, (shape[0] as number) * k];
}

/** The recommended gain for a nonlinearity (`param`: the leaky ReLU slope, default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "conv1d":
    case "conv2d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leakyRelu": {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
  }
}

function fill(t: Tensor, make: () => Tensor): Tensor {
  tidy(() => {
    t.assign(make().astype(t.dtype));
  });
  return t;
}
const keyOpt = (o: InitOptions): { key?: RandomKey } => (o.key ? { key: o.key } : {});

/** U(a, b). */
export function uniform_(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  return fill(t, () => uniform(a, b, t.shape, { dtype: t.dtype, ...keyOpt(opts) }));
}
/** N(mean, std²). */
export function normal_(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  return fill(t, () => normal(mean, std, t.shape, { dtype: t.dtype, ...keyOpt(opts) }));
}
export function constant_(t: Tensor, value: number): Tensor {
  return fill(t, () => full(t.shape, value, { dtype: t.dtype }));
}
export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/** Glorot uniform: U(-b, b) with b = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const [fi, fo] = calculateFanInAndFanOut(t.shape);
  const b = gain * Math.sqrt(6 / (fi + fo));
  return uniform_(t, -b, b, opts);
}
/** Glorot normal: N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const [fi, fo] = calculateFanInAndFanOut(t.shape);
  return normal_(t, 0, gain * Math.sqrt(2 / (fi + fo)), opts);
}

export interface KaimingOptions extends InitOptions {
  /** The negative slope of the leaky ReLU that follows (default 0). */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}
function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const [fi, fo] = calculateFanInAndFanOut(t.shape);
  const fan = (o.mode ?? "fanIn") === "fanIn" ? fi : fo;
  return calculateGain(o.nonlinearity ?? "leakyRelu", o.a ?? 0) / Math.sqrt(fan);
}
/** He uniform: U(-b, b) with b = gain·√(3 / fan). */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const b = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform_(t, -b, b, opts);
}
/** He normal: N(0, σ²) with σ = gain / √fan. */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, opts), opts);
}

/**
 * PyTorch's default for Linear and Conv: weight kaimingUniform(a = √5), i.e. U(±1/√fanIn), and
 * bias U(±1/√fanIn).
 */
export function defaultLinearInit(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const [fi] = calculateFanInAndFanOut(weight.shape);
    const b = fi > 0 ? 1 / Math.sqrt(fi) : 0;
    uniform_(bias, -b, b);
  }
}
