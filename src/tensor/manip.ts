// Joining, splitting and rearranging: concat, stack, split, chunk, pad, flip, tile, repeat, triu, tril.
import { NablaError } from "../core/errors.js";
import type { TensorLike } from "./convert.js";
import type { Tensor } from "./tensor.js";

const todo = (op: string): never => {
  throw new NablaError(op, "not available yet");
};

/** Joins tensors along an existing axis. */
export function concat(_xs: readonly TensorLike[], _axis = 0): Tensor {
  return todo("concat");
}
/** Joins tensors along a new axis. */
export function stack(_xs: readonly TensorLike[], _axis = 0): Tensor {
  return todo("stack");
}
/** Splits into pieces: `n` equal parts, or the given section sizes. */
export function split(_x: TensorLike, _sections: number | readonly number[], _axis = 0): Tensor[] {
  return todo("split");
}
/** Splits into `n` nearly equal chunks (the last may be smaller). */
export function chunk(_x: TensorLike, _n: number, _axis = 0): Tensor[] {
  return todo("chunk");
}
/** Pads with a constant: widths is one [before, after] per axis (or one pair for all, or per trailing axes). */
export function pad(_x: TensorLike, _widths: readonly (readonly [number, number])[] | number, _value = 0): Tensor {
  return todo("pad");
}
/** Reverses the order of elements along the axes (all when omitted). */
export function flip(_x: TensorLike, _axis?: number | readonly number[]): Tensor {
  return todo("flip");
}
/** Repeats the whole tensor `reps` times along each axis. */
export function tile(_x: TensorLike, _reps: readonly number[]): Tensor {
  return todo("tile");
}
/** Repeats each element `repeats` times along `axis` (flattened when omitted). */
export function repeat(_x: TensorLike, _repeats: number, _axis?: number): Tensor {
  return todo("repeat");
}
/** Upper triangle of the last two axes (from diagonal k). */
export function triu(_x: TensorLike, _k = 0): Tensor {
  return todo("triu");
}
/** Lower triangle of the last two axes (up to diagonal k). */
export function tril(_x: TensorLike, _k = 0): Tensor {
  return todo("tril");
}
