// Tensor basics: creation functions, properties, reads, printing, random numbers, astype, and
// memory (dispose, using, tidy, memory(), leak reports, views that copy nothing, finalization).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as nb from "../src/index.js";
import { assertClose, forEachBackend, leakFreeTest } from "./util.js";

const vals = (t: nb.Tensor): number[] => Array.from(t.dataSync() as ArrayLike<number>);

describe("creation", () => {
  leakFreeTest("tensor() from nested arrays, typed arrays and scalars infers shape and dtype", () => {
    const a = nb.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual([a.shape, a.dtype, a.ndim, a.size], [[2, 3], "float32", 2, 6]);
    assert.deepEqual(vals(a), [1, 2, 3, 4, 5, 6]);
    assert.equal(nb.tensor([[true], [false]]).dtype, "bool");
    assert.deepEqual(nb.tensor([[true], [false]]).shape, [2, 1]);
    assert.equal(nb.tensor(new Int32Array([1, 2])).dtype, "int32");
    assert.equal(nb.tensor(new Float32Array([1, 2])).dtype, "float32");
    assert.equal(nb.tensor(new Float64Array([1, 2])).dtype, "float64");
    const s = nb.tensor(2.5);
    assert.deepEqual([s.shape, s.dtype, s.ndim, s.size], [[], "float32", 0, 1]);
    assert.equal(nb.tensor(true).dtype, "bool");
    const e = nb.tensor([]);
    assert.deepEqual([e.shape, e.size], [[0], 0]);
    assert.deepEqual(nb.tensor([[], []]).shape, [2, 0]);
  });

  leakFreeTest("tensor() with shape and dtype options", () => {
    const t = nb.tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3], dtype: "int32" });
    assert.deepEqual([t.shape, t.dtype], [[2, 3], "int32"]);
    assert.deepEqual(t.arraySync(), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(vals(nb.tensor([1.7, -1.7, 0], { dtype: "int32" })), [1, -1, 0]);
    assert.deepEqual(vals(nb.tensor([2, 0, -1], { dtype: "bool" })), [1, 0, 1]);
    const f64 = nb.tensor(new Float32Array([0.1]), { dtype: "float64" });
    assert.deepEqual([f64.dtype, vals(f64)], ["float64", [Math.fround(0.1)]]);
    const typed = nb.tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] });
    assert.deepEqual([typed.shape, typed.dtype], [[2, 2], "float64"]);
    assert.deepEqual(nb.tensor([7], { shape: [] }).shape, []);
    assert.deepEqual(nb.tensor([], { shape: [0, 3] }).shape, [0, 3]);
    assert.throws(() => nb.tensor([1, 2, 3], { shape: [2, 2] }), /tensor: 3 values cannot fill shape \[2,2\]/);
    assert.throws(
      () => nb.tensor([[1, 2], [3]]),
      (e: Error) => e instanceof nb.ShapeError && /ragged/.test(e.message),
    );
  });

  leakFreeTest("zeros, ones, full (default float32; a boolean value gives bool; the value is cast)", () => {
    const z = nb.zeros([2, 3]);
    assert.deepEqual([z.shape, z.dtype, vals(z)], [[2, 3], "float32", [0, 0, 0, 0, 0, 0]]);
    const o = nb.ones([2], { dtype: "int32" });
    assert.deepEqual([o.dtype, vals(o)], ["int32", [1, 1]]);
    assert.deepEqual(vals(nb.full([3], 7.5)), [7.5, 7.5, 7.5]);
    assert.deepEqual(vals(nb.full([2], 2.9, { dtype: "int32" })), [2, 2]);
    const b = nb.full([2], true);
    assert.deepEqual([b.dtype, vals(b)], ["bool", [1, 1]]);
    assert.deepEqual(nb.zeros([]).shape, []);
    assert.deepEqual(nb.ones([0, 4]).size, 0);
  });

  leakFreeTest("arange: int32 for integer arguments, float32 otherwise; linspace; eye", () => {
    const r = nb.arange(5);
    assert.deepEqual([r.dtype, vals(r)], ["int32", [0, 1, 2, 3, 4]]);
    assert.deepEqual(vals(nb.arange(2, 11, 3)), [2, 5, 8]);
    assert.deepEqual(vals(nb.arange(5, 0, -2)), [5, 3, 1]);
    assert.deepEqual(nb.arange(3, 1).shape, [0]);
    const f = nb.arange(0, 1, 0.25);
    assert.deepEqual([f.dtype, vals(f)], ["float32", [0, 0.25, 0.5, 0.75]]);
    assert.equal(nb.arange(0.5, 3).dtype, "float32");
    assertClose(vals(nb.arange(0, 1, 0.3)), [0, 0.3, 0.6, 0.9]);
    const d = nb.arange(0, 1, 0.1, { dtype: "float64" });
    assert.equal(d.dtype, "float64");
    assert.equal(d.size, 10);
    assertClose(vals(d), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], { rtol: 1e-15, atol: 1e-15 });
    assert.throws(() => nb.arange(0, 1, 0), /arange: step must be a finite nonzero number/);

    const l = nb.linspace(0, 1, 5);
    assert.deepEqual([l.dtype, vals(l)], ["float32", [0, 0.25, 0.5, 0.75, 1]]);
    assert.deepEqual(vals(nb.linspace(2, 3, 1)), [2]);
    assert.deepEqual(nb.linspace(2, 3, 0).shape, [0]);
    assertClose(vals(nb.linspace(-1, 1, 3, { dtype: "float64" })), [-1, 0, 1]);

    const e = nb.eye(2, 3);
    assert.deepEqual([e.shape, e.dtype, vals(e)], [[2, 3], "float32", [1, 0, 0, 0, 1, 0]]);
    assert.deepEqual(vals(nb.eye(3, 3, 1)), [0, 1, 0, 0, 0, 1, 0, 0, 0]);
    assert.deepEqual(vals(nb.eye(3, 3, -1)), [0, 0, 0, 1, 0, 0, 0, 1, 0]);
    assert.equal(nb.eye(2, 2, 0, { dtype: "int32" }).dtype, "int32");
  });

  leakFreeTest("zerosLike, onesLike, fullLike keep shape and dtype unless told", () => {
    const x = nb.tensor([[1, 2]], { dtype: "float64" });
    const z = nb.zerosLike(x);
    assert.deepEqual([z.shape, z.dtype, vals(z)], [[1, 2], "float64", [0, 0]]);
    const o = nb.onesLike(x, { dtype: "int32" });
    assert.deepEqual([o.shape, o.dtype, vals(o)], [[1, 2], "int32", [1, 1]]);
    assert.deepEqual(vals(nb.fullLike(x, 3)), [3, 3]);
    assert.equal(nb.onesLike([true, false]).dtype, "bool");
  });
});

describe("properties and reads", () => {
  leakFreeTest("shape (a copy), dtype, ndim, size, device", () => {
    const t = nb.zeros([2, 3, 4], { dtype: "int32" });
    const s = t.shape;
    s[0] = 99;
    assert.deepEqual(t.shape, [2, 3, 4]);
    assert.deepEqual([t.dtype, t.ndim, t.size], ["int32", 3, 24]);
    assert.ok(nb.backends().includes(t.device), t.device);
    forEachBackend((b) => assert.equal(nb.tensor([1, 2]).mul(2).realize().device, b));
  });

  leakFreeTest("data (async), dataSync (a copy, typed by dtype), array (nested, booleans), item", async () => {
    const t = nb.tensor([
      [1, 2],
      [3, 4],
    ]);
    const d = await t.data();
    assert.ok(d instanceof Float32Array);
    assert.deepEqual(Array.from(d), [1, 2, 3, 4]);
    const copy = t.dataSync();
    copy[0] = 100;
    assert.deepEqual(vals(t), [1, 2, 3, 4]);
    assert.ok(nb.tensor([1], { dtype: "int32" }).dataSync() instanceof Int32Array);
    assert.ok(nb.tensor([1], { dtype: "float64" }).dataSync() instanceof Float64Array);
    assert.ok(nb.tensor([true]).dataSync() instanceof Uint8Array);
    assert.deepEqual(await t.array(), [
      [1, 2],
      [3, 4],
    ]);
    assert.deepEqual(await nb.tensor([[true, false]]).array(), [[true, false]]);
    assert.deepEqual(nb.tensor(5).arraySync(), 5);
    assert.deepEqual(nb.zeros([2, 0]).arraySync(), [[], []]);
    assert.equal(t.sum().item(), 10);
    assert.equal(nb.tensor([[2.5]]).item(), 2.5);
    assert.equal(nb.tensor([true]).item(), true);
    assert.equal(nb.tensor(3, { dtype: "int32" }).item(), 3);
    assert.throws(
      () => t.item(),
      (e: Error) =>
        e instanceof nb.ValueError && /item: expected a tensor with one element, got shape \[2,2\]/.test(e.message),
    );
  });

  leakFreeTest("toString prints like NumPy's repr (tensor(...), dtype unless float32)", () => {
    const str = (t: nb.Tensor): string => t.toString();
    assert.equal(
      str(
        nb.tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
      "tensor([[1., 2.],\n        [3., 4.]])",
    );
    assert.equal(str(nb.tensor([-1, 2, 3])), "tensor([-1.,  2.,  3.])");
    assert.equal(str(nb.tensor([1, 2, 3], { dtype: "int32" })), "tensor([1, 2, 3], dtype=int32)");
    assert.equal(str(nb.tensor([true, false])), "tensor([ True, False], dtype=bool)");
    assert.equal(str(nb.tensor(3.5)), "tensor(3.5)");
    assert.equal(str(nb.tensor([[1, 2]], { dtype: "float64" })), "tensor([[1., 2.]], dtype=float64)");
    assert.equal(
      str(nb.arange(8).reshape([2, 2, 2])),
      "tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]], dtype=int32)",
    );
    // long axes are elided like NumPy (more than 1000 elements)
    const long = str(nb.arange(2000));
    assert.match(long, /^tensor\(\[   0,    1,    2, \.\.\., 1997, 1998, 1999\], dtype=int32\)$/);
  });
});

describe("random numbers", () => {
  leakFreeTest("seed: the same seed gives the same numbers, on every backend", () => {
    const draws: number[][] = [];
    forEachBackend(() => {
      nb.seed(123);
      draws.push([...vals(nb.rand([5])), ...vals(nb.randn([3]))]);
      nb.seed(123);
      draws.push([...vals(nb.rand([5])), ...vals(nb.randn([3]))]);
    });
    for (const d of draws) assert.deepEqual(d, draws[0]);
    nb.seed(124);
    assert.notDeepEqual(vals(nb.rand([5])), (draws[0] as number[]).slice(0, 5));
    // successive draws from the global generator differ
    assert.notDeepEqual(vals(nb.rand([5])), vals(nb.rand([5])));
  });

  leakFreeTest("explicit keys: nb.random.key(seed) is reproducible; split keys differ", () => {
    const k = nb.random.key(42);
    assert.deepEqual(vals(nb.rand([8], { key: k })), vals(nb.rand([8], { key: nb.random.key(42) })));
    assert.notDeepEqual(vals(nb.rand([8], { key: k })), vals(nb.rand([8], { key: nb.random.key(43) })));
    const [k1, k2] = nb.random.split(k, 2) as [nb.RandomKey, nb.RandomKey];
    const [j1] = k.split(2) as [nb.RandomKey];
    assert.deepEqual(k1.words, j1.words, "split is deterministic");
    assert.notDeepEqual(k1.words, k2.words);
    assert.notDeepEqual(vals(nb.rand([8], { key: k1 })), vals(nb.rand([8], { key: k2 })));
    assert.notDeepEqual(vals(nb.rand([8], { key: k1 })), vals(nb.rand([8], { key: k })));
    assert.equal(nb.random.split(k, 5).length, 5);
    // a key's stream does not depend on the shape: a longer draw extends a shorter one
    assert.deepEqual(vals(nb.rand([3], { key: k })), vals(nb.rand([6], { key: k })).slice(0, 3));
  });

  leakFreeTest("rand is uniform in [0, 1); randn has mean ≈ 0 and std ≈ 1 over 10^4 draws", () => {
    const u = nb.rand([10000], { key: nb.random.key(1) });
    assert.equal(u.dtype, "float32");
    const uv = vals(u);
    assert.ok(
      uv.every((v) => v >= 0 && v < 1),
      "rand outside [0, 1)",
    );
    const mean = uv.reduce((a, b) => a + b, 0) / uv.length;
    assert.ok(Math.abs(mean - 0.5) < 0.02, `rand mean ${mean}`);
    assert.ok(uv.filter((v) => v < 0.1).length > 800, "rand lower decile underpopulated");
    assert.equal(nb.rand([2], { dtype: "float64" }).dtype, "float64");
    const n = nb.randn([10000], { key: nb.random.key(2) });
    const nv = vals(n);
    const m = nv.reduce((a, b) => a + b, 0) / nv.length;
    const sd = Math.sqrt(nv.reduce((a, v) => a + (v - m) ** 2, 0) / nv.length);
    assert.ok(Math.abs(m) < 0.05 && Math.abs(sd - 1) < 0.05, `randn mean ${m}, std ${sd}`);
    assert.ok(nv.every(Number.isFinite));
    const within1 = nv.filter((v) => Math.abs(v) < 1).length / nv.length;
    assert.ok(Math.abs(within1 - 0.6827) < 0.03, `randn P(|z| < 1) = ${within1}`);
    const g = vals(nb.normal(3, 0.5, [4000], { key: nb.random.key(3) }));
    const gm = g.reduce((a, b) => a + b, 0) / g.length;
    assert.ok(Math.abs(gm - 3) < 0.05, `normal mean ${gm}`);
    const w = vals(nb.uniform(-2, 5, [2000], { key: nb.random.key(4) }));
    assert.ok(w.every((v) => v >= -2 && v < 5));
  });

  leakFreeTest("randint covers [low, high) with integers; bernoulli hits its rate", () => {
    const r = nb.randint(-3, 4, [5000], { key: nb.random.key(5) });
    assert.equal(r.dtype, "int32");
    const rv = vals(r);
    assert.ok(rv.every((v) => Number.isInteger(v) && v >= -3 && v < 4));
    assert.deepEqual(
      [...new Set(rv)].sort((a, b) => a - b),
      [-3, -2, -1, 0, 1, 2, 3],
    );
    assert.throws(() => nb.randint(2, 2, [1]), /randint: expected low < high/);
    const b = nb.bernoulli(0.3, [20000], { key: nb.random.key(6) });
    assert.equal(b.dtype, "bool");
    const rate = vals(b).reduce((a, v) => a + v, 0) / 20000;
    assert.ok(Math.abs(rate - 0.3) < 0.015, `bernoulli rate ${rate}`);
    // a tensor of probabilities
    const pb = vals(nb.bernoulli(nb.tensor([0, 1]), [1000, 2], { key: nb.random.key(7) }));
    assert.ok(pb.every((v, i) => v === i % 2));
  });
});

describe("astype", () => {
  leakFreeTest("float → int truncates toward zero; nonzero → true; bool → 0/1; float64 → float32 rounds", () => {
    assert.deepEqual(vals(nb.tensor([-1.7, 1.7, 2.5, -0.5, 0]).astype("int32")), [-1, 1, 2, 0, 0]);
    assert.deepEqual(vals(nb.tensor([0, -2, 0.1, 3]).astype("bool")), [0, 1, 1, 1]);
    assert.deepEqual(vals(nb.tensor([0, 5, -1], { dtype: "int32" }).astype("bool")), [0, 1, 1]);
    assert.deepEqual(vals(nb.tensor([true, false]).astype("float32")), [1, 0]);
    assert.deepEqual(vals(nb.tensor([true, false]).astype("int32")), [1, 0]);
    assert.deepEqual(vals(nb.tensor([0.1], { dtype: "float64" }).astype("float32")), [Math.fround(0.1)]);
    assert.deepEqual(vals(nb.tensor([16777217], { dtype: "int32" }).astype("float32")), [16777216]);
    assert.deepEqual(vals(nb.tensor([-3], { dtype: "int32" }).astype("float64")), [-3]);
    const x = nb.ones([2]);
    assert.equal(x.astype("float32"), x, "astype to the same dtype is the same tensor");
    const y = x.astype("int32");
    assert.deepEqual([y.dtype, y.shape], ["int32", [2]]);
  });
});

describe("memory", () => {
  test("memory() counts live buffers and bytes; dispose frees; disposing twice is safe", () => {
    const before = nb.memory();
    const a = nb.tensor([1, 2, 3]); // float32: 12 bytes
    const b = nb.tensor([1, 2, 3, 4], { dtype: "float64" }); // 32 bytes
    const c = nb.tensor([true, false, true]); // 3 bytes
    const d = nb.tensor([1, 2, 3, 4, 5], { dtype: "int32" }); // 20 bytes
    assert.deepEqual(nb.memory(), { buffers: before.buffers + 4, bytes: before.bytes + 12 + 32 + 3 + 20 });
    b.dispose();
    assert.deepEqual(nb.memory(), { buffers: before.buffers + 3, bytes: before.bytes + 12 + 3 + 20 });
    b.dispose();
    assert.equal(nb.memory().buffers, before.buffers + 3);
    nb.dispose([a, { c, d }]);
    assert.deepEqual(nb.memory(), before);
    assert.ok(a.isDisposed && c.isDisposed && d.isDisposed);
  });

  test("a lazy result holds nothing until read; reading it keeps one buffer", () => {
    const before = nb.memory().buffers;
    const x = nb.tensor([1, 2, 3]);
    const y = x.mul(2).add(1);
    assert.equal(nb.memory().buffers, before + 1);
    assert.deepEqual(vals(y), [3, 5, 7]);
    assert.equal(nb.memory().buffers, before + 2, "the intermediates of y are not kept");
    nb.dispose([x, y]);
    assert.equal(nb.memory().buffers, before);
  });

  test("using frees at the end of the scope (Symbol.dispose)", () => {
    const before = nb.memory().buffers;
    {
      using t = nb.tensor([1, 2, 3]);
      using u = t.mul(2).realize();
      assert.equal(nb.memory().buffers, before + 2);
      assert.deepEqual(vals(u), [2, 4, 6]);
    }
    assert.equal(nb.memory().buffers, before);
    assert.equal(typeof nb.ones([1])[Symbol.dispose], "function");
  });

  test("tidy (sync): returned tensors survive, also inside objects and arrays; the rest is freed", () => {
    const before = nb.memory().buffers;
    let inner: nb.Tensor | undefined;
    const out = nb.tidy(() => {
      const a = nb.tensor([1, 2]);
      inner = a.add(10).realize();
      const b = a.mul(2);
      return { kept: [b], nested: { c: a.sub(1) }, n: 1 };
    });
    assert.ok(inner?.isDisposed, "a tensor made and not returned is disposed");
    assert.deepEqual(vals(out.kept[0] as nb.Tensor), [2, 4]);
    assert.deepEqual(vals(out.nested.c), [0, 1]);
    assert.equal(out.n, 1);
    nb.dispose(out);
    assert.equal(nb.memory().buffers, before);
    // keep() survives, nested tidies free their own
    const k = nb.tidy(() => {
      const kept = nb.keep(nb.tensor([5]));
      nb.tidy(() => nb.tensor([6]).realize());
      return kept.add(0).realize() && kept;
    });
    assert.equal(k.item(), 5);
    k.dispose();
    assert.equal(nb.memory().buffers, before);
    // a throw inside still frees
    assert.throws(
      () =>
        nb.tidy(() => {
          nb.tensor([1]);
          throw new Error("boom");
        }),
      /boom/,
    );
    assert.equal(nb.memory().buffers, before);
  });

  test("tidy (async): awaits the function, keeps what it resolves to", async () => {
    const before = nb.memory().buffers;
    let scratch: nb.Tensor | undefined;
    const out = await nb.tidy(async () => {
      const a = nb.tensor([3]);
      scratch = nb.tensor([9]).realize();
      await new Promise((r) => setTimeout(r, 1));
      return [a.add(1), { b: a.mul(3) }] as const;
    });
    assert.ok(scratch?.isDisposed);
    assert.equal(out[0].item(), 4);
    assert.equal(out[1].b.item(), 9);
    nb.dispose(out);
    assert.equal(nb.memory().buffers, before);
    await assert.rejects(
      nb.tidy(async () => {
        nb.tensor([1]);
        await Promise.resolve();
        throw new Error("async boom");
      }),
      /async boom/,
    );
    assert.equal(nb.memory().buffers, before);
  });

  test("debugLeaks: leakReport names this file and the line that made a live tensor", () => {
    // the caller's line (the first frame in this file is lineOf itself)
    const lineOf = (): number => Number([...(new Error().stack ?? "").matchAll(/tensor\.test\.ts:(\d+)/g)][1]?.[1]);
    nb.debugLeaks(true);
    try {
      const [leaked, line] = [nb.tensor([1, 2, 3]), lineOf()];
      const report = nb.leakReport();
      const entry = report.find((r) => r.site.includes(`tensor.test.ts:${line}:`));
      assert.ok(entry, `no entry for tensor.test.ts:${line} in ${JSON.stringify(report)}`);
      assert.deepEqual([entry.shape, entry.dtype], [[3], "float32"]);
      leaked.dispose();
      assert.ok(!nb.leakReport().some((r) => r.site === entry.site), "a disposed tensor leaves the report");
    } finally {
      nb.debugLeaks(false);
    }
  });

  test("views of a realized tensor copy nothing: transpose, reshape, at() slices, expand, flip", () => {
    const x = nb
      .tensor(
        Float32Array.from({ length: 24 }, (_, i) => i),
        { shape: [4, 6] },
      )
      .realize();
    const before = nb.memory();
    const views = [
      x.transpose(),
      x.reshape([2, 12]),
      x.at("1:, ::2"),
      x.at("::-1, 2"),
      x.at(1),
      x.expand([3, 4, 6]),
      x.unsqueeze(0),
      x.flip(1),
    ];
    for (const v of views) v.realize();
    assert.deepEqual(nb.memory(), before, "a view allocated a buffer");
    assert.deepEqual(vals(views[0] as nb.Tensor).slice(0, 4), [0, 6, 12, 18]);
    assert.deepEqual(vals(views[2] as nb.Tensor), [6, 8, 10, 12, 14, 16, 18, 20, 22]);
    assert.deepEqual(vals(views[3] as nb.Tensor), [20, 14, 8, 2]);
    assert.deepEqual(vals(views[4] as nb.Tensor), [6, 7, 8, 9, 10, 11]);
    assert.deepEqual(vals(views[7] as nb.Tensor).slice(0, 6), [5, 4, 3, 2, 1, 0]);
    // the measure works: a computed result does allocate
    const y = x.add(1).realize();
    assert.ok(nb.memory().bytes > before.bytes);
    nb.dispose([views, y, x]);
  });

  test("a forgotten tensor's buffer is freed by garbage collection", async (t) => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) return t.skip("run node with --expose-gc");
    // keep only the graph node: its buffer must go once the tensor itself is collected
    const node = (() => nb.tensor([1, 2, 3]).node)();
    assert.ok(node.realized);
    for (let i = 0; i < 20 && node.realized; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(node.realized, undefined);
  });
});
