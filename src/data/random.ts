// Host-side seeded randomness for data pipelines (shuffling, augmentation choices), from the same
// counter-based generator (Threefry-2x32) as nabla's random ops: reproducible on every platform.
import { ValueError } from "../core/errors.js";
import { keyFromSeed, threefry2x32, type Key } from "../core/random.js";
import { RandomKey } from "../tensor/create.js";

/** A seed (any integer) or a key from `nb.random.key`. */
export type KeyLike = number | RandomKey;

export function keyWords(k: KeyLike, op: string): Key {
  if (k instanceof RandomKey) return k.words;
  if (typeof k !== "number" || !Number.isFinite(k))
    throw new ValueError(op, `expected a seed (a number) or a RandomKey, got ${String(k)}`);
  return keyFromSeed(Math.trunc(k));
}

/** The i-th uniform float in [0, 1) (53 random bits) of the stream of `key`. */
export function uniformAt(key: Key, i: number): number {
  const [a, b] = threefry2x32(key[0], key[1], i >>> 0, Math.floor(i / 2 ** 32));
  return ((a >>> 5) * 2 ** 26 + (b >>> 6)) / 2 ** 53;
}

/** The key of stream `i` derived from `key` (for example one per epoch, or one per transform). */
export function foldIn(key: Key, i: number): Key {
  return threefry2x32(key[0], key[1], i >>> 0, 0x9e3779b9);
}

/**
 * A seeded permutation of 0…n-1 (Fisher–Yates): the same (seed, epoch) always gives the same order,
 * and each epoch gives a different one.
 */
export function permutation(n: number, seed: KeyLike, epoch = 0): Int32Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new ValueError("permutation", `n must be a count, got ${n}`);
  const key = foldIn(keyWords(seed, "permutation"), epoch);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(uniformAt(key, i) * (i + 1));
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}
