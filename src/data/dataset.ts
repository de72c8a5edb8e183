// Datasets: anything with a length and a get(i). TensorDataset slices the leading axis of tensors;
// mapDataset, subset and randomSplit build new datasets from old ones.
import { allocArray, type TypedArray } from "../core/dtype.js";
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { fromArray } from "../tensor/convert.js";
import { isTensor, type Tensor } from "../tensor/tensor.js";
import { permutation, type KeyLike } from "./random.js";

/**
 * A dataset: `length` samples, sample `i` from `get(i)` (a pytree of tensors, numbers or arrays,
 * or a promise of one, for data read lazily). `getBatch`, where present, returns the collated batch
 * of several samples at once (DataLoader then uses it instead of get + collate).
 */
export interface Dataset<T = unknown> {
  readonly length: number;
  get(i: number): T | Promise<T>;
  getBatch?(indices: Int32Array): unknown;
}

export function checkIndex(op: string, i: number, n: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= n)
    throw new ValueError(op, `index ${i} is out of range for a dataset of ${n} samples`);
}

/**
 * Samples are the rows (leading-axis slices) of tensors that share their first dimension; sample i
 * is `[t0[i], t1[i], …]`. The tensors' data is read once, on first use, and batches are gathered by
 * copying rows.
 */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];
  #host: TypedArray[] | undefined;

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new ValueError("TensorDataset", "expected at least one tensor");
    tensors.forEach((t, i) => {
      if (!isTensor(t)) throw new ValueError("TensorDataset", `argument ${i} is not a tensor`);
      if (t.ndim === 0) throw new ShapeError("TensorDataset", `tensor ${i} is 0-d: it has no rows`);
    });
    const n = (tensors[0] as Tensor).shape[0];
    const bad = tensors.findIndex((t) => t.shape[0] !== n);
    if (bad >= 0)
      throw new ShapeError(
        "TensorDataset",
        `all tensors need the same first dimension: got ${tensors.map((t) => fmtShape(t.shape)).join(", ")}`,
      );
    this.tensors = tensors;
  }

  get length(): number {
    return (this.tensors[0] as Tensor).shape[0] as number;
  }

  #data(): TypedArray[] {
    return (this.#host ??= this.tensors.map((t) => t.dataSync()));
  }

  get(i: number): Tensor[] {
    checkIndex("TensorDataset.get", i, this.length);
    return this.#rows(Int32Array.of(i), false);
  }

  getBatch(indices: Int32Array): Tensor[] {
    return this.#rows(indices, true);
  }

  #rows(indices: Int32Array, batched: boolean): Tensor[] {
    const host = this.#data();
    const n = this.length;
    for (const i of indices) checkIndex("TensorDataset.getBatch", i, n);
    return this.tensors.map((t, k) => {
      const src = host[k] as TypedArray;
      const rowShape = t.shape.slice(1);
      const per = n === 0 ? 0 : src.length / n;
      const dst = allocArray(t.dtype, indices.length * per);
      indices.forEach((i, j) => dst.set(src.subarray(i * per, (i + 1) * per), j * per));
      return fromArray(dst, batched ? [indices.length, ...rowShape] : rowShape, t.dtype);
    });
  }
}

/** A dataset whose sample i is `fn(ds.get(i), i)` (computed on each access). */
export function mapDataset<T, U>(ds: Dataset<T>, fn: (item: T, i: number) => U): Dataset<U> {
  return {
    get length() {
      return ds.length;
    },
    get(i: number): U | Promise<U> {
      const item = ds.get(i);
      return item instanceof Promise ? item.then((x) => fn(x, i)) : fn(item, i);
    },
  };
}

/** The samples of `ds` at `indices`, in that order. */
export function subset<T>(ds: Dataset<T>, indices: ArrayLike<number>): Dataset<T> {
  const idx = Int32Array.from(indices as ArrayLike<number>);
  for (const i of idx) checkIndex("subset", i, ds.length);
  const sub: Dataset<T> = {
    length: idx.length,
    get(i: number) {
      checkIndex("subset.get", i, idx.length);
      return ds.get(idx[i] as number);
    },
  };
  const gb = ds.getBatch?.bind(ds);
  if (gb) sub.getBatch = (indices: Int32Array) => gb(indices.map((i) => idx[i] as number));
  return sub;
}

/** Splits `ds` at random (seeded) into subsets of the given lengths, which must add up to ds.length. */
export function randomSplit<T>(ds: Dataset<T>, lengths: readonly number[], seed: KeyLike = 0): Dataset<T>[] {
  const total = lengths.reduce((a, b) => a + b, 0);
  if (lengths.some((l) => !Number.isInteger(l) || l < 0) || total !== ds.length)
    throw new ValueError("randomSplit", `lengths ${JSON.stringify(lengths)} must be counts adding up to ${ds.length}`);
  const p = permutation(ds.length, seed);
  let at = 0;
  return lengths.map((l) => subset(ds, p.subarray(at, (at += l))));
}
