// Creation functions: constants, ranges, identity, and random draws from counter-based keys.
import { castScalar, type DType } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { keyFromSeed, splitKey, type Key } from "../core/random.js";
import { checkShape } from "../core/shape.js";
import { build } from "../graph/node.js";
import { asTensor, fullNode, type TensorLike } from "./convert.js";
import { add, astype, cos, eq, floor, log, lt, mul, sqrt, sub } from "./math.js";
import { Tensor } from "./tensor.js";

export interface DTypeOption {
  dtype?: DType;
}

export function full(shape: readonly number[], value: number | boolean, opts: DTypeOption = {}): Tensor {
  checkShape("full", shape);
  const dtype = opts.dtype ?? (typeof value === "boolean" ? "bool" : "float32");
  return new Tensor(fullNode(castScalar(Number(value), dtype), shape, dtype));
}
export const zeros = (shape: readonly number[], opts: DTypeOption = {}): Tensor => full(shape, 0, opts);
export const ones = (shape: readonly number[], opts: DTypeOption = {}): Tensor => full(shape, 1, opts);
export const zerosLike = (x: TensorLike, opts: DTypeOption = {}): Tensor =>
  full(asTensor(x).shape, 0, { dtype: opts.dtype ?? asTensor(x).dtype });
export const onesLike = (x: TensorLike, opts: DTypeOption = {}): Tensor =>
  full(asTensor(x).shape, 1, { dtype: opts.dtype ?? asTensor(x).dtype });
export const fullLike = (x: TensorLike, value: number, opts: DTypeOption = {}): Tensor =>
  full(asTensor(x).shape, value, { dtype: opts.dtype ?? asTensor(x).dtype });

/**
 * Values from `start` (inclusive) to `stop` (exclusive) by `step`; `arange(n)` is 0…n-1.
 * The dtype is int32 when all arguments are integers, else float32.
 */
export function arange(start: number, stop?: number, step = 1, opts: DTypeOption = {}): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(step))
    throw new ValueError("arange", `step must be a finite nonzero number, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const dtype = opts.dtype ?? ([start, stop, step].every(Number.isInteger) ? "int32" : "float32");
  const i = new Tensor(build("iota", [], { shape: [n], axis: 0, dtype: dtype === "int32" ? "int32" : "float64" }));
  return astype(add(mul(i, step), start), dtype);
}

/** `num` evenly spaced values from start to stop (both included). */
export function linspace(start: number, stop: number, num = 50, opts: DTypeOption = {}): Tensor {
  if (!Number.isInteger(num) || num < 0)
    throw new ValueError("linspace", `num must be a non-negative integer, got ${num}`);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  const i = new Tensor(build("iota", [], { shape: [num], axis: 0, dtype: "float64" }));
  return astype(add(mul(i, step), start), opts.dtype ?? "float32");
}

/** The n×m identity (ones on diagonal k). */
export function eye(n: number, m = n, k = 0, opts: DTypeOption = {}): Tensor {
  const i = new Tensor(build("iota", [], { shape: [n, m], axis: 0, dtype: "int32" }));
  const j = new Tensor(build("iota", [], { shape: [n, m], axis: 1, dtype: "int32" }));
  return astype(eq(add(i, k), j), opts.dtype ?? "float32");
}

/** A random key: the state of a counter-based generator, split into independent streams. */
export class RandomKey {
  constructor(readonly words: Key) {}
  /** `n` independent keys. */
  split(n = 2): RandomKey[] {
    return splitKey(this.words, n).map((k) => new RandomKey(k));
  }
}

let globalKey = keyFromSeed(0);
let globalCounter = 0;

/** Seeds the global generator: the draws that follow are the same in every run and on every backend. */
export function seed(n: number): void {
  globalKey = keyFromSeed(n);
  globalCounter = 0;
}

function nextKey(key?: RandomKey): Key {
  if (key) return key.words;
  return splitKey([globalKey[0] ^ globalCounter++, globalKey[1]], 1)[0] as Key;
}

export interface RandomOptions extends DTypeOption {
  /** Draw from this key instead of the global generator. */
  key?: RandomKey;
}

/** Uniform in [0, 1). */
export function rand(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  const dtype = opts.dtype ?? "float32";
  return new Tensor(build("random", [], { key: nextKey(opts.key), shape: [...shape], dtype }));
}
export const uniform = (low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor =>
  add(mul(rand(shape, opts), high - low), low);

/** Standard normal (Box–Muller on two independent uniform streams). */
export function randn(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  const [k1, k2] = new RandomKey(nextKey(opts.key)).split(2) as [RandomKey, RandomKey];
  const dt = opts.dtype ?? "float32";
  const u1 = rand(shape, { key: k1, dtype: dt });
  const u2 = rand(shape, { key: k2, dtype: dt });
  return mul(sqrt(mul(log(sub(1, u1)), -2)), cos(mul(u2, 2 * Math.PI)));
}
export const normal = (meanV: number, stdV: number, shape: readonly number[], opts: RandomOptions = {}): Tensor =>
  add(mul(randn(shape, opts), stdV), meanV);

/** Integers uniform in [low, high). */
export function randint(low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor {
  if (!(high > low)) throw new ValueError("randint", `expected low < high, got ${low} and ${high}`);
  return astype(add(floor(mul(rand(shape, { ...opts, dtype: "float64" }), high - low)), low), opts.dtype ?? "int32");
}

/** true with probability p (a number or a tensor broadcast with shape). */
export function bernoulli(p: TensorLike, shape?: readonly number[], opts: RandomOptions = {}): Tensor {
  const pt = asTensor(p);
  return lt(rand(shape ?? pt.shape, opts), pt);
}
