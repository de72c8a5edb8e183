// Tensor basics: creation, properties, reads, printing, views without copies, and lifetimes
// (dispose, using, tidy, finalization, leak reports).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as nb from "../src/index.js";
import { assertClose } from "./util.js";

test("creation from nested arrays, typed arrays, scalars, and with shape and dtype options", () => {
  const a = nb.tensor([
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual([a.shape, a.dtype, a.ndim, a.size], [[2, 2], "float32", 2, 4]);
  assert.equal(nb.tensor(new Int32Array([1, 2])).dtype, "int32");
  assert.equal(nb.tensor(new Float64Array([1])).dtype, "float64");
  assert.equal(nb.tensor([true, false]).dtype, "bool");
  assert.deepEqual(nb.tensor(5).shape, []);
  assert.deepEqual(nb.tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3], dtype: "int32" }).arraySync(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.throws(() => nb.tensor([1, 2, 3], { shape: [2, 2] }), /tensor: 3 values cannot fill shape \[2,2\]/);
});

test("zeros, ones, full, arange, linspace, eye, zerosLike, onesLike", () => {
  assert.deepEqual(Array.from(nb.zeros([2]).dataSync()), [0, 0]);
  assert.deepEqual(Array.from(nb.ones([2], { dtype: "int32" }).dataSync()), [1, 1]);
  assert.deepEqual(Array.from(nb.full([3], 7).dataSync()), [7, 7, 7]);
  const r = nb.arange(5);
  assert.equal(r.dtype, "int32");
  assert.deepEqual(Array.from(r.dataSync()), [0, 1, 2, 3, 4]);
  assert.equal(nb.arange(0, 1, 0.25).dtype, "float32");
  assertClose(nb.arange(0, 1, 0.25).dataSync(), [0, 0.25, 0.5, 0.75]);
  assertClose(nb.arange(5, 0, -2).dataSync(), [5, 3, 1]);
  assertClose(nb.linspace(0, 1, 5).dataSync(), [0, 0.25, 0.5, 0.75, 1]);
  assertClose(nb.eye(2, 3).dataSync(), [1, 0, 0, 0, 1, 0]);
  assertClose(nb.eye(3, 3, 1).dataSync(), [0, 1, 0, 0, 0, 1, 0, 0, 0]);
  const x = nb.tensor([[1, 2]], { dtype: "float64" });
  assert.equal(nb.zerosLike(x).dtype, "float64");
  assert.deepEqual(nb.onesLike(x).shape, [1, 2]);
});

test("reads: data, dataSync, array (nested, booleans), item, device", async () => {
  const t = nb.tensor([
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(Array.from(await t.data()), [1, 2, 3, 4]);
  assert.deepEqual(await t.array(), [
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(await nb.tensor([true, false]).array(), [true, false]);
  assert.equal(t.sum().item(), 10);
  assert.equal(nb.tensor([true]).item(), true);
  assert.throws(() => t.item(), /item: expected a tensor with one element, got shape \[2,2\]/);
  assert.ok(nb.backends().includes(t.device));
});

test("toString prints like NumPy", () => {
  assert.equal(
    nb
      .tensor([
        [1, 2],
        [3, 4],
      ])
      .toString(),
    "tensor([[1., 2.],\n        [3., 4.]])",
  );
  assert.equal(nb.tensor([1, 2], { dtype: "int32" }).toString(), "tensor([1, 2], dtype=int32)");
  assert.equal(nb.tensor([true, false]).toString(), "tensor([ True, False], dtype=bool)");
  assert.equal(nb.tensor([0.5, 1.25]).toString(), "tensor([ 0.5, 1.25])");
  assert.match(nb.arange(2000).astype("float32").toString(), /\.\.\./);
});

test("astype: float to int truncates toward zero, nonzero is true", () => {
  assert.deepEqual(Array.from(nb.tensor([-1.7, 1.7, 2.5]).astype("int32").dataSync()), [-1, 1, 2]);
  assert.deepEqual(Array.from(nb.tensor([0, -2, 0.1]).astype("bool").dataSync()), [0, 1, 1]);
});

test("views copy nothing: transpose, reshape, slices and broadcasts of a realized tensor", () => {
  const x = nb.randn([64, 32]).realize();
  const before = nb.memory();
  const views = [
    x.transpose(),
    x.reshape([32, 64]),
    x.at("1:, ::2"),
    x.at("::-1"),
    x.expand([4, 64, 32]),
    x.unsqueeze(0),
  ];
  views.forEach((v) => v.realize());
  const after = nb.memory();
  assert.deepEqual(after, before);
  assertClose(views[0]?.at(3, 5).dataSync() ?? [], x.at(5, 3).dataSync());
});

test("dispose, using, and nb.memory()", () => {
  const before = nb.memory().buffers;
  {
    using t = nb.tensor([1, 2, 3]);
    assert.equal(nb.memory().buffers, before + 1);
    assert.equal(nb.memory().bytes - (nb.memory().bytes - 12), 12);
    t.sum().dispose();
  }
  assert.equal(nb.memory().buffers, before);
  const u = nb.ones([4]).realize();
  u.dispose();
  u.dispose(); // twice is safe
  assert.equal(nb.memory().buffers, before);
});

test("tidy (sync and async) keeps what is returned, anywhere in an object or array", async () => {
  const before = nb.memory().buffers;
  const out = nb.tidy(() => {
    const a = nb.tensor([1, 2]);
    const b = a.mul(2);
    return { kept: [b], n: 1 };
  });
  assertClose(out.kept[0]?.dataSync() ?? [], [2, 4]);
  const asyncOut = await nb.tidy(async () => {
    const a = nb.tensor([3]);
    await new Promise((r) => setTimeout(r, 1));
    return a.add(1);
  });
  assert.equal(asyncOut.item(), 4);
  nb.dispose([out.kept, asyncOut]);
  assert.equal(nb.memory().buffers, before);
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

test("debugLeaks: the leak report names the line that made a live tensor", () => {
  nb.debugLeaks(true);
  try {
    const leaked = nb.tensor([1, 2, 3]); // this line is reported
    const report = nb.leakReport();
    const entry = report.find((r) => r.shape.join() === "3" && /tensor\.test\.ts:\d+/.test(r.site));
    assert.ok(entry, `no entry naming this file in ${JSON.stringify(report)}`);
    leaked.dispose();
    assert.ok(!nb.leakReport().some((r) => r.site === entry.site));
  } finally {
    nb.debugLeaks(false);
  }
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
