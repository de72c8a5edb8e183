// DataLoader: batches of a dataset, in order or in a seeded shuffle that changes every epoch, with
// the last short batch kept or dropped, and the next batches prepared while the current one is used.
import { ValueError } from "../core/errors.js";
import { leaves } from "../tensor/pytree.js";
import { collate as defaultCollate } from "./collate.js";
import type { Dataset } from "./dataset.js";
import { permutation } from "./random.js";

export interface DataLoaderOptions {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Visit samples in a seeded random order, a new one each epoch (default false). */
  shuffle?: boolean;
  /** Seed of the shuffle: the same seed gives the same order for each epoch. Default: random. */
  seed?: number;
  /** Leave out the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** How many batches to prepare ahead of the one being used (default 1; 0 prepares none ahead). */
  prefetch?: number;
  /** Joins a list of samples into a batch (default: `collate`, which stacks tensors). */
  collate?: (samples: unknown[]) => unknown;
}

const isCount = (n: unknown, min: number): n is number => typeof n === "number" && Number.isInteger(n) && n >= min;

/**
 * Iterates over a dataset in batches: `for await (const [x, y] of loader)` (or a plain `for…of`
 * when the dataset's get is synchronous). Each iteration is one epoch; `epoch` counts them and can
 * be set to resume a run. Batches are collated (see `collate`) unless the dataset has getBatch.
 */
export class DataLoader<B = unknown> implements AsyncIterable<B>, Iterable<B> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  readonly prefetch: number;
  /** The epoch the next iteration will run (0 first). */
  epoch = 0;
  readonly #collate: ((samples: unknown[]) => unknown) | undefined;

  constructor(
    readonly dataset: Dataset,
    opts: DataLoaderOptions = {},
  ) {
    const { batchSize = 1, shuffle = false, dropLast = false, prefetch = 1 } = opts;
    if (!isCount(batchSize, 1))
      throw new ValueError("DataLoader", `batchSize must be a positive integer, got ${batchSize}`);
    if (!isCount(prefetch, 0)) throw new ValueError("DataLoader", `prefetch must be a count, got ${prefetch}`);
    if (opts.seed !== undefined && !Number.isFinite(opts.seed))
      throw new ValueError("DataLoader", `seed must be a number, got ${opts.seed}`);
    if (!isCount(dataset?.length, 0)) throw new ValueError("DataLoader", "expected a dataset with a length and get(i)");
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = opts.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.dropLast = dropLast;
    this.prefetch = prefetch;
    this.#collate = opts.collate;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The order in which epoch `epoch` visits the samples. */
  order(epoch = this.epoch): Int32Array {
    const n = this.dataset.length;
    return this.shuffle ? permutation(n, this.seed, epoch) : Int32Array.from({ length: n }, (_, i) => i);
  }

  /** The sample indices of each batch of epoch `epoch`. */
  batchIndices(epoch = this.epoch): Int32Array[] {
    const order = this.order(epoch);
    return Array.from({ length: this.length }, (_, b) =>
      order.subarray(b * this.batchSize, Math.min(order.length, (b + 1) * this.batchSize)),
    );
  }

  #make(indices: Int32Array): unknown {
    const ds = this.dataset;
    if (ds.getBatch && !this.#collate) return ds.getBatch(indices);
    const join = this.#collate ?? ((s: unknown[]) => defaultCollate(s, "DataLoader"));
    const items = Array.from(indices, (i) => ds.get(i));
    return items.some((x) => x instanceof Promise) ? Promise.all(items).then(join) : join(items);
  }

  /** One epoch, asynchronously, with `prefetch` batches prepared ahead. */
  async *#epochAsync(epoch: number): AsyncGenerator<B> {
    const batches = this.batchIndices(epoch);
    const pending: Promise<B>[] = [];
    let next = 0;
    const start = (): void => {
      const p = Promise.resolve(this.#make(batches[next++] as Int32Array)) as Promise<B>;
      p.catch(() => {}); // reported when awaited; a batch never awaited (early exit) is dropped
      pending.push(p);
    };
    try {
      while (next < batches.length || pending.length > 0) {
        if (pending.length === 0) start();
        const batch = await (pending.shift() as Promise<B>);
        while (pending.length < this.prefetch && next < batches.length) start();
        yield batch;
      }
    } finally {
      // the consumer stopped early: free what was prepared for it
      for (const p of pending)
        p.then(
          (b) => leaves(b).forEach((t) => t.dispose()),
          () => {},
        );
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<B> {
    return this.#epochAsync(this.epoch++);
  }

  /** One epoch, synchronously (the dataset's get must not return promises). */
  *#epochSync(epoch: number): Generator<B> {
    for (const idx of this.batchIndices(epoch)) {
      const b = this.#make(idx);
      if (b instanceof Promise)
        throw new ValueError("DataLoader", "this dataset returns promises: iterate with `for await`");
      yield b as B;
    }
  }

  [Symbol.iterator](): Iterator<B> {
    return this.#epochSync(this.epoch++);
  }
}
