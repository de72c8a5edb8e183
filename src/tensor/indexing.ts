// NumPy-style indexing: `t.at("1:, ::2, None, ...")` and its typed form, integer-array gather,
// take, takeAlongAxis, scatterAdd and oneHot.
import { NablaError } from "../core/errors.js";
import type { TensorLike } from "./convert.js";
import type { Tensor } from "./tensor.js";

const todo = (op: string): never => {
  throw new NablaError(op, "not available yet");
};

/** One index item of the typed form (see docs/indexing.md). */
export type IndexItem =
  number | { start?: number; stop?: number; step?: number } | null | "..." | Tensor | readonly number[];

/** NumPy-style indexing from a string ("1:, ::2, None, ...") or typed items. */
export function at(_x: TensorLike, ..._index: (string | IndexItem)[]): Tensor {
  return todo("at");
}
/** NumPy take: elements at integer `indices` along `axis` (flattened when omitted); negative indices wrap. */
export function take(_x: TensorLike, _indices: TensorLike, _axis?: number): Tensor {
  return todo("take");
}
/** out[..., j, ...] = x[..., indices[..., j, ...], ...] along `axis` (indices has x's rank). */
export function takeAlongAxis(_x: TensorLike, _indices: TensorLike, _axis: number): Tensor {
  return todo("takeAlongAxis");
}
/** x with `updates` added at `indices` along `axis` (functional; repeated indices accumulate). */
export function scatterAdd(_x: TensorLike, _indices: TensorLike, _updates: TensorLike, _axis = 0): Tensor {
  return todo("scatterAdd");
}
/** One-hot encoding of integer labels: a new last axis of size `n`. */
export function oneHot(_labels: TensorLike, _n: number): Tensor {
  return todo("oneHot");
}
