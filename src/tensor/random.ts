// The `nb.random` namespace: explicit keys for reproducible streams.
import { keyFromSeed } from "../core/random.js";
import { RandomKey } from "./create.js";

/** A key from an integer seed; the same seed gives the same numbers on every backend. */
export function key(seed: number): RandomKey {
  return new RandomKey(keyFromSeed(seed));
}

/** `n` independent keys derived from `k`. */
export function split(k: RandomKey, n = 2): RandomKey[] {
  return k.split(n);
}

export { rand, randn, randint, uniform, normal, bernoulli } from "./create.js";
