// nn functions against naive float64 loops: softmax, losses, dropout; their gradients (and softmax's
// second derivatives) against finite differences; error messages. Convolution and pooling: conv.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as nb from "../src/index.js";
import { assertClose, gradCheck, hessianCheck, leakFreeTest, randomArray, rng } from "./util.js";

const f64 = (data: ArrayLike<number>, shape: readonly number[]): nb.Tensor =>
  nb.tensor(Float64Array.from(data), { shape, dtype: "float64" });
const i32 = (data: number[]): nb.Tensor => nb.tensor(Int32Array.from(data));

// ---- references ----

/** Softmax / log-softmax over the last axis of rows of length c. */
function softmaxRef(x: ArrayLike<number>, c: number, log = false): number[] {
  const out: number[] = [];
  for (let r = 0; r < x.length / c; r++) {
    const row = Array.from({ length: c }, (_, j) => x[r * c + j] as number);
    const m = Math.max(...row);
    const z = row.reduce((s, v) => s + Math.exp(v - m), 0);
    for (const v of row) out.push(log ? v - m - Math.log(z) : Math.exp(v - m) / z);
  }
  return out;
}

/** Per-sample cross entropy for logits [N, C] and a target distribution q [N, C]. */
function ceRef(z: ArrayLike<number>, q: ArrayLike<number>, c: number): number[] {
  const lp = softmaxRef(z, c, true);
  return Array.from({ length: z.length / c }, (_, n) => {
    let s = 0;
    for (let j = 0; j < c; j++) s -= (q[n * c + j] as number) * (lp[n * c + j] as number);
    return s;
  });
}
const oneHotRef = (labels: number[], c: number, eps = 0): number[] =>
  labels.flatMap((l) => Array.from({ length: c }, (_, j) => (j === l ? 1 - eps : 0) + eps / c));

// ---- softmax ----

test("softmax and logSoftmax match the naive formula on any axis and are stable for large inputs", () => {
  const r = rng(1);
  const x = randomArray(12, r, -3, 3);
  assertClose(nb.softmax(f64(x, [3, 4])).dataSync(), softmaxRef(x, 4), { rtol: 1e-12 });
  assertClose(nb.logSoftmax(f64(x, [3, 4])).dataSync(), softmaxRef(x, 4, true), { rtol: 1e-12 });
  // axis 0 of [4, 3] is the last axis of the transpose
  const t = f64(x, [3, 4]).transpose();
  assertClose(nb.softmax(t, 0).transpose().dataSync(), softmaxRef(x, 4), { rtol: 1e-12 });
  assertClose(f64(x, [3, 4]).logSoftmax(-1).dataSync(), softmaxRef(x, 4, true), { rtol: 1e-12 });
  const big = nb.tensor([1000, 1001, 1002, -1000]);
  assertClose(nb.softmax(big).dataSync(), softmaxRef([1000, 1001, 1002, -1000], 4), { rtol: 1e-5 });
  // float32 around 1000: an ulp is 6e-5
  assertClose(nb.logSoftmax(big).dataSync(), softmaxRef([1000, 1001, 1002, -1000], 4, true), { atol: 2e-4 });
  assertClose(
    nb
      .softmax(nb.tensor([1, 2, 3]), 0)
      .sum()
      .dataSync(),
    [1],
  );
});

test("softmax and logSoftmax: gradients and second derivatives", () => {
  const r = rng(2);
  const x = randomArray(12, r, -2, 2);
  gradCheck((a) => nb.softmax(a), { inputs: [{ data: x, shape: [3, 4] }] });
  gradCheck((a) => nb.softmax(a, 0), { inputs: [{ data: x, shape: [3, 4] }] });
  gradCheck((a) => nb.logSoftmax(a, 1), { inputs: [{ data: x, shape: [3, 4] }] });
  const c = f64(randomArray(12, r), [3, 4]);
  hessianCheck((a) => nb.softmax(a).mul(c), x, [3, 4]);
  hessianCheck((a) => nb.logSoftmax(a).mul(c), x, [3, 4]);
  hessianCheck((a) => nb.softmax(a, 0).square(), x, [3, 4]);
});

// ---- losses ----

test("crossEntropy with int32 labels: reductions, label smoothing, ignoreIndex", () => {
  const r = rng(3);
  const z = randomArray(12, r, -2, 2);
  const labels = [2, 0, 3];
  const none = ceRef(z, oneHotRef(labels, 4), 4);
  const lz = f64(z, [3, 4]);
  const lt = i32(labels);
  assertClose(nb.crossEntropy(lz, lt, { reduction: "none" }).dataSync(), none, { rtol: 1e-12 });
  assertClose([nb.crossEntropy(lz, lt).item() as number], [none.reduce((a, b) => a + b) / 3], { rtol: 1e-12 });
  assertClose([nb.crossEntropy(lz, lt, { reduction: "sum" }).item() as number], [none.reduce((a, b) => a + b)], {
    rtol: 1e-12,
  });
  const smooth = ceRef(z, oneHotRef(labels, 4, 0.2), 4);
  assertClose(nb.crossEntropy(lz, lt, { labelSmoothing: 0.2, reduction: "none" }).dataSync(), smooth, {
    rtol: 1e-12,
  });
  const ign = nb.crossEntropy(lz, i32([2, -100, 3]), { ignoreIndex: -100 });
  assertClose([ign.item() as number], [((none[0] as number) + (none[2] as number)) / 2], { rtol: 1e-12 });
  // unbatched [C] logits with a 0-d label
  assertClose(
    [nb.crossEntropy(f64(z.slice(0, 4), [4]), nb.tensor(2, { dtype: "int32" })).item() as number],
    [none[0] as number],
  );
});

test("crossEntropy over [N, C, d] logits, and against class probabilities", () => {
  const r = rng(4);
  // logits [2, 3, 2]: classes on axis 1; reference works on the [N·d, C] transpose
  const z = randomArray(12, r, -2, 2);
  const labels = [0, 2, 1, 1];
  const rows = [0, 1].flatMap((n) => [0, 1].map((k) => [0, 1, 2].map((c) => z[(n * 3 + c) * 2 + k] as number)));
  const ref = ceRef(rows.flat(), oneHotRef(labels, 3), 3);
  const got = nb.crossEntropy(f64(z, [2, 3, 2]), nb.tensor(Int32Array.from(labels), { shape: [2, 2] }), {
    reduction: "none",
  });
  assert.deepEqual(got.shape, [2, 2]);
  assertClose(got.dataSync(), ref, { rtol: 1e-12 });
  const q = softmaxRef(randomArray(12, r), 4);
  const zz = randomArray(12, r, -2, 2);
  assertClose(nb.crossEntropy(f64(zz, [3, 4]), f64(q, [3, 4]), { reduction: "none" }).dataSync(), ceRef(zz, q, 4), {
    rtol: 1e-12,
  });
  const qs = q.map((v) => 0.9 * v + 0.1 / 4);
  assertClose(
    [nb.crossEntropy(f64(zz, [3, 4]), f64(q, [3, 4]), { labelSmoothing: 0.1 }).item() as number],
    [ceRef(zz, qs, 4).reduce((a, b) => a + b) / 3],
    { rtol: 1e-12 },
  );
});

test("crossEntropy and mse gradients", () => {
  const r = rng(5);
  const z = { data: randomArray(12, r, -2, 2), shape: [3, 4] };
  const labels = i32([1, 3, 0]);
  gradCheck((a) => nb.crossEntropy(a, labels), { inputs: [z] });
  gradCheck((a) => nb.crossEntropy(a, labels, { labelSmoothing: 0.1, reduction: "none" }), { inputs: [z] });
  const q = { data: softmaxRef(randomArray(12, r), 4), shape: [3, 4] };
  gradCheck((a, b) => nb.crossEntropy(a, b as nb.Tensor, { reduction: "sum" }), { inputs: [z, q] });
  gradCheck((a, b) => nb.mse(a, b as nb.Tensor), { inputs: [z, { data: randomArray(12, r), shape: [3, 4] }] });
});

test("mse matches the naive mean / sum / none", () => {
  const r = rng(6);
  const [a, b] = [randomArray(6, r), randomArray(6, r)];
  const sq = Array.from(a, (v, i) => (v - (b[i] as number)) ** 2);
  assertClose([nb.mse(f64(a, [2, 3]), f64(b, [2, 3])).item() as number], [sq.reduce((x, y) => x + y) / 6]);
  assertClose([nb.mse(f64(a, [6]), f64(b, [6]), { reduction: "sum" }).item() as number], [sq.reduce((x, y) => x + y)]);
  assertClose(nb.mse(f64(a, [6]), f64(b, [6]), { reduction: "none" }).dataSync(), sq);
});

// ---- dropout ----

leakFreeTest(
  "dropout: same key → same mask, kept values scaled by 1/(1-p), mean kept, identity when not training",
  () => {
    const x = nb.ones([4000]);
    const k = nb.random.key(5);
    const a = nb.dropout(x, 0.3, { key: k }).dataSync();
    const b = nb.dropout(x, 0.3, { key: k }).dataSync();
    assert.deepEqual(a, b);
    const c = nb.dropout(x, 0.3, { key: nb.random.key(6) }).dataSync();
    assert.notDeepEqual(a, c);
    assert.ok(Array.from(a).every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6));
    const m = Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    assert.ok(Math.abs(m - 1) < 0.06, `mean ${m}`);
    const zeros = Array.from(a).filter((v) => v === 0).length / a.length;
    assert.ok(Math.abs(zeros - 0.3) < 0.04, `drop rate ${zeros}`);
    assert.equal(nb.dropout(x, 0.3, { training: false }), x);
    assert.equal(nb.dropout(x, 0), x);
    assert.deepEqual(Array.from(nb.dropout(nb.ones([3]), 1).dataSync()), [0, 0, 0]);
    nb.seed(3);
    const s1 = nb.dropout(x, 0.5).dataSync();
    nb.seed(3);
    assert.deepEqual(nb.dropout(x, 0.5).dataSync(), s1);
    // the gradient is the mask itself
    const g = nb
      .grad((y: nb.Tensor) => nb.dropout(y, 0.3, { key: k }).sum())(x)
      .dataSync();
    assert.deepEqual(g, a);
  },
);

// ---- errors ----

test("errors name the op, the shapes and what was expected", () => {
  const z = nb.zeros([3, 4]);
  assert.throws(
    () => nb.crossEntropy(z, i32([1, 2])),
    /crossEntropy: expected int32 labels of shape \[3\].*got int32 target \[2\]/,
  );
  assert.throws(
    () => nb.crossEntropy(z, nb.zeros([3])),
    /crossEntropy: expected .*float probabilities of shape \[3,4\].*got float32 target \[3\]/,
  );
  assert.throws(() => nb.crossEntropy(z, nb.tensor([true, false, true])), /crossEntropy: .*got bool target/);
  assert.throws(
    () => nb.crossEntropy(z, i32([1, 2, 3]), { reduction: "avg" as "mean" }),
    /crossEntropy: reduction must be/,
  );
  assert.throws(
    () => nb.mse(z, nb.zeros([4, 3])),
    /mse: expected target of the prediction's shape \[3,4\], got \[4,3\]/,
  );
  assert.throws(() => nb.dropout(z, 1.5), /dropout: p must be in \[0, 1\], got 1.5/);
  assert.throws(() => nb.softmax(z, 2), /softmax: axis 2 is out of range/);
});
