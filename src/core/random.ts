// Counter-based random numbers (Threefry-2x32, 20 rounds): the value at position i depends only on
// (key, i), so any backend, order or split of the work gives the same numbers.

const ROT = [13, 15, 26, 6, 17, 29, 16, 24];

const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;

/** One Threefry-2x32 block: encrypts the counter (c0, c1) under key (k0, k1). */
export function threefry2x32(k0: number, k1: number, c0: number, c1: number): [number, number] {
  const ks = [k0 >>> 0, k1 >>> 0, (0x1bd11bda ^ k0 ^ k1) >>> 0];
  let x0 = (c0 + (ks[0] ?? 0)) >>> 0;
  let x1 = (c1 + (ks[1] ?? 0)) >>> 0;
  for (let block = 0; block < 5; block++) {
    for (let r = 0; r < 4; r++) {
      x0 = (x0 + x1) >>> 0;
      x1 = rotl(x1, ROT[(block % 2) * 4 + r] ?? 0) ^ x0;
    }
    const s = block + 1;
    x0 = (x0 + (ks[s % 3] ?? 0)) >>> 0;
    x1 = (x1 + (ks[(s + 1) % 3] ?? 0) + s) >>> 0;
  }
  return [x0, x1];
}

/** A key: two 32-bit words. */
export type Key = readonly [number, number];

export function keyFromSeed(seed: number): Key {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  return threefry2x32(0, 0, lo, hi);
}

/** `n` independent keys derived from `key`. */
export function splitKey(key: Key, n: number): Key[] {
  return Array.from({ length: n }, (_, i) => threefry2x32(key[0], key[1], i, 0x5a17));
}

/** `n` uniform floats in [0, 1) with 24 random bits each (exact in float32). */
export function uniformBits(key: Key, n: number, out: Float32Array | Float64Array): void {
  for (let i = 0; i < n; i++) {
    const [w] = threefry2x32(key[0], key[1], i, 0);
    out[i] = (w >>> 8) / 16777216;
  }
}
