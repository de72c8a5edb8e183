// at (string and typed forms), take, takeAlongAxis, scatterAdd and oneHot: values against naive
// references, a fast-check property for random slices, gradients, views, and error messages.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import * as nb from "../src/index.js";
import type { Node } from "../src/graph/node.js";
import { assertClose, gradCheck, leakFreeTest, randomArray, rng } from "./util.js";

type Nested = number | Nested[];
/** Nested arrays holding 0..n-1 in row-major order. */
function iotaNested(shape: readonly number[], off = { v: 0 }): Nested {
  if (!shape.length) return off.v++;
  return Array.from({ length: shape[0] as number }, () => iotaNested(shape.slice(1), off));
}
const i32 = (v: Nested): nb.Tensor => nb.tensor(v as number[], { dtype: "int32" });
const f32 = (shape: number[]): { t: nb.Tensor; a: Nested } => {
  const n = shape.reduce((p, q) => p * q, 1);
  return {
    t: nb.tensor(
      Array.from({ length: n }, (_, i) => i),
      { shape },
    ),
    a: iotaNested(shape),
  };
};
const arr = (x: nb.Tensor): Nested => x.arraySync() as Nested;

/** Python's slice semantics, written as a filter over the positions (independent of the clamping arithmetic). */
function refSliceIdx(n: number, start?: number, stop?: number, step = 1): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  const norm = (v: number, lo: number, hi: number): number => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  if (step > 0) {
    const s = start === undefined ? 0 : norm(start, 0, n);
    const e = stop === undefined ? n : norm(stop, 0, n);
    return all.filter((i) => i >= s && i < e && (i - s) % step === 0);
  }
  const s = start === undefined ? n - 1 : norm(start, -1, n - 1);
  const e = stop === undefined ? -1 : norm(stop, -1, n - 1);
  return all.filter((i) => i <= s && i > e && (s - i) % -step === 0).reverse();
}
type Sl = { start?: number; stop?: number; step?: number };
/** Applies per-axis slices (or integers) to nested arrays. */
function refBasic(a: Nested, items: (number | Sl)[]): Nested {
  if (!items.length) return a;
  const [it, ...rest] = items;
  const xs = a as Nested[];
  if (typeof it === "number") return refBasic(xs[it < 0 ? it + xs.length : it] as Nested, rest);
  return refSliceIdx(xs.length, it?.start, it?.stop, it?.step).map((i) => refBasic(xs[i] as Nested, rest));
}
const sliceStr = (s: Sl): string => `${s.start ?? ""}:${s.stop ?? ""}${s.step === undefined ? "" : `:${s.step}`}`;

/** Every op between `out` and `x`'s node (to check that basic indexing builds views only). */
function opsBetween(out: nb.Tensor, x: nb.Tensor): string[] {
  const ops: string[] = [];
  const walk = (n: Node): void => {
    if (n === x.node) return;
    ops.push(n.op);
    n.inputs.forEach(walk);
  };
  walk(out.node);
  return ops;
}

test("basic indexing: integers, slices with negative values and steps, None and ... (both forms)", () => {
  const { t, a } = f32([3, 4, 5]);
  const x3 = a as Nested[][][];
  assert.deepEqual(arr(t.at("1")), x3[1]);
  assert.deepEqual(arr(t.at(-1, 2, -2)), x3[2]![2]![3]);
  assert.deepEqual(arr(t.at("1:, ::-2, -3:")), refBasic(a, [{ start: 1 }, { step: -2 }, { start: -3 }]));
  assert.deepEqual(
    arr(t.at({ start: 1 }, { step: -2 }, { start: -3 })),
    refBasic(a, [{ start: 1 }, { step: -2 }, { start: -3 }]),
  );
  assert.deepEqual(arr(t.at("..., 1")), refBasic(a, [{}, {}, 1]));
  assert.deepEqual(arr(t.at("...", 1)), refBasic(a, [{}, {}, 1]));
  assert.deepEqual(t.at("None, 0, ..., None").shape, [1, 4, 5, 1]);
  assert.deepEqual(t.at(null, 0, "...", null).shape, [1, 4, 5, 1]);
  assert.deepEqual(arr(t.at("0, None, 1:3, 0")), [[x3[0]![1]![0], x3[0]![2]![0]]]);
  assert.deepEqual(t.at("10:, 5:1").shape, [0, 0, 5]);
  assert.deepEqual(arr(t.at("")), a);
  assert.deepEqual(arr(t.at()), a);
  assert.deepEqual(arr(nb.tensor(7).at("None")), [7]);
});

test("basic indexing is a view: slice, flip and reshape only", () => {
  const { t } = f32([3, 4, 5]);
  const ops = new Set(opsBetween(t.at("None, 1:, ::-2, 3"), t));
  assert.deepEqual([...ops].sort(), ["flip", "reshape", "slice"]);
  assert.equal(t.at(":, :, :").node, t.node, "a full slice is the same node");
  assert.deepEqual(opsBetween(t.at([0, 1, 2]), t), [], "an index list covering the axis in order is free");
  assert.deepEqual(new Set(opsBetween(t.at(":, [3, 2, 1]"), t)), new Set(["flip", "slice"]));
});

test("random slices match Python's slice semantics (fast-check)", () => {
  const slice = fc.record(
    {
      start: fc.integer({ min: -7, max: 7 }),
      stop: fc.integer({ min: -7, max: 7 }),
      step: fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0),
    },
    { requiredKeys: [] },
  );
  const item = fc.oneof(slice, fc.integer({ min: -8, max: 8 }));
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 }),
      fc.array(item, { maxLength: 3 }),
      (shape, raw) => {
        const items = raw.slice(0, shape.length).map((it, i) => {
          if (typeof it !== "number") return it;
          const n = shape[i] as number;
          return n === 0 ? {} : (((it % n) + n) % n) - (it < 0 ? n : 0); // an in-range integer (maybe negative)
        });
        const { t, a } = f32(shape);
        const want = refBasic(a, items);
        assert.deepEqual(arr(t.at(...items)), want, `typed ${JSON.stringify(items)} on ${JSON.stringify(shape)}`);
        const str = items.map((it) => (typeof it === "number" ? String(it) : sliceStr(it))).join(", ");
        assert.deepEqual(arr(t.at(str)), want, `string "${str}" on ${JSON.stringify(shape)}`);
      },
    ),
    { numRuns: 150 },
  );
});

test("integer arrays gather along their axis; lists, nested lists and int32 tensors agree", () => {
  const { t, a } = f32([4, 3]);
  const rows = a as number[][];
  assert.deepEqual(arr(t.at([2, 0, -1])), [rows[2], rows[0], rows[3]]);
  assert.deepEqual(arr(t.at("[2, 0, -1]")), [rows[2], rows[0], rows[3]]);
  assert.deepEqual(arr(t.at(i32([2, 0, -1]))), [rows[2], rows[0], rows[3]]);
  assert.deepEqual(
    arr(t.at(":, [[0], [2]]")),
    rows.map((r) => [[r[0]], [r[2]]]),
  );
  assert.deepEqual(arr(t.at(1, [2, 2, 0])), [rows[1]![2], rows[1]![2], rows[1]![0]]);
  assert.deepEqual(arr(t.at(i32(2))), rows[2]);
  assert.deepEqual(arr(t.at("[]")), []);
  // a long irregular list (more runs than the iota encoding takes: stored as a constant)
  const r = rng(5);
  const long = Array.from({ length: 50 }, () => Math.floor(r() * 4));
  assert.deepEqual(
    arr(t.at(long, 1)),
    long.map((i) => rows[i]![1]),
  );
});

test("several integer arrays follow NumPy: broadcast together, placed first unless adjacent", () => {
  const { t, a } = f32([2, 3, 4]);
  const x = a as number[][][];
  // adjacent arrays: x[:, [0, 2], [1, 3]] has shape [2, 2], the broadcast dims where the first array was
  assert.deepEqual(
    arr(t.at(":, [0, 2], [1, 3]")),
    [0, 1].map((i) => [x[i]![0]![1], x[i]![2]![3]]),
  );
  // non-adjacent: x[[0, 1], :, [1, 3]] puts the broadcast dims first: [2, 3]
  assert.deepEqual(
    arr(t.at("[0, 1], :, [1, 3]")),
    [0, 1].map((k) => [0, 1, 2].map((j) => x[k]![j]![[1, 3][k]!])),
  );
  // an integer counts as an array for adjacency: x[1, :, [1, 3]] is [2, 3], not [3, 2]
  assert.deepEqual(
    arr(t.at(1, ":", [1, 3])),
    [1, 3].map((l) => [0, 1, 2].map((j) => x[1]![j]![l])),
  );
  assert.deepEqual(
    arr(t.at(":", 1, [1, 3])),
    [0, 1].map((i) => [x[i]![1]![1], x[i]![1]![3]]),
  );
  // broadcasting [2,1] with [3] and an int32 tensor mixed with a list
  const want = [0, 1].map((i) => [0, 1, 2].map((j) => x[i]![j]!));
  assert.deepEqual(arr(t.at(i32([[0], [1]]), [0, 1, 2])), want);
  assert.deepEqual(arr(t.at("[[0],[1]], [0,1,2]")), want);
  // negative values in a tensor wrap
  assert.deepEqual(arr(t.at(i32([-1]), i32([-1]), -1)), [x[1]![2]![3]]);
});

test("take: flattened or along an axis, negative indices wrap, tensor indices out of range read 0", () => {
  const { t, a } = f32([3, 4]);
  const rows = a as number[][];
  assert.deepEqual(arr(nb.take(t, [0, -1, 5])), [0, 11, 5]);
  assert.deepEqual(arr(t.take([[1], [0]], 0)), [[rows[1]], [rows[0]]]);
  assert.deepEqual(
    arr(t.take(i32([3, -4, 1]), 1)),
    rows.map((r) => [r[3], r[0], r[1]]),
  );
  assert.deepEqual(arr(t.take(2, 1)), [2, 6, 10]);
  assert.deepEqual(arr(nb.take(nb.tensor([1, 2, 3]), i32([7, -9, 1]))), [0, 0, 2]);
});

test("takeAlongAxis picks per position and broadcasts outside the axis", () => {
  const { t, a } = f32([2, 3]);
  const x = a as number[][];
  const idx = [
    [2, 0],
    [1, -1],
  ];
  assert.deepEqual(
    arr(nb.takeAlongAxis(t, idx, 1)),
    idx.map((r, i) => r.map((j) => x[i]![j < 0 ? j + 3 : j])),
  );
  assert.deepEqual(arr(t.takeAlongAxis(i32([[1, 0, 1]]), 0)), [[x[1]![0], x[0]![1], x[1]![2]]]);
  assert.deepEqual(arr(t.takeAlongAxis(i32([[0], [2]]), 1)), [[x[0]![0]], [x[1]![2]]]);
  const am = t.argmax(1, true);
  assert.deepEqual(arr(t.takeAlongAxis(am, 1)), [[2], [5]]);
  assert.deepEqual(
    arr(nb.takeAlongAxis(nb.tensor([[1, 2]]), [[0], [1]], 1)),
    [[1], [2]],
    "x broadcast over the indices",
  );
});

test("scatterAdd accumulates repeated indices; oneHot encodes labels", () => {
  assert.deepEqual(arr(nb.scatterAdd(nb.zeros([4]), [1, 1, 3, -1], [1, 2, 3, 4])), [0, 3, 0, 7]);
  const base = nb.tensor([
    [1, 1, 1],
    [2, 2, 2],
  ]);
  assert.deepEqual(arr(base.scatterAdd(i32([0, 0, 2]), nb.tensor([[1, 2, 3]]), 1)), [
    [4, 1, 4],
    [5, 2, 5],
  ]);
  const ints = nb.scatterAdd(nb.zeros([3], { dtype: "int32" }), i32([2, 5, 0]), 1);
  assert.equal(ints.dtype, "int32");
  assert.deepEqual(arr(ints), [1, 0, 1], "scalar updates broadcast; out-of-range tensor indices are dropped");
  const oh = nb.oneHot([2, 0], 3);
  assert.equal(oh.dtype, "float32");
  assert.deepEqual(arr(oh), [
    [0, 0, 1],
    [1, 0, 0],
  ]);
  assert.deepEqual(arr(i32([[1], [5]]).oneHot(2)), [[[0, 1]], [[0, 0]]]);
});

test("gradients of at, take, takeAlongAxis and scatterAdd match finite differences", () => {
  const r = rng(9);
  const X = { data: randomArray(24, r), shape: [2, 3, 4] };
  gradCheck((x) => x.at("1:, ::-1, None, 1:4:2").square(), { inputs: [X] });
  gradCheck((x) => x.at(0, "::-2", -1), { inputs: [X] });
  gradCheck((x) => x.at(":", [2, 0, 2, 1]).square(), { inputs: [X] });
  gradCheck((x) => x.at(i32([1, 1, 0]), ":", [3, 0, 3]).square(), { inputs: [X] });
  gradCheck((x) => x.at("..., [[0], [3]]").square(), { inputs: [X] });
  gradCheck((x) => x.take([5, 5, -1, 0]).square(), { inputs: [X] });
  gradCheck(
    (x) =>
      x
        .take(
          i32([
            [2, 2],
            [0, 1],
          ]),
          2,
        )
        .square(),
    { inputs: [X] },
  );
  gradCheck((x) => x.takeAlongAxis(i32([[[0, 2, 2, 1]]]), 1).square(), { inputs: [X] });
  gradCheck((x, u) => x.scatterAdd(i32([1, 1, 0]), u, 1).square(), {
    inputs: [X, { data: randomArray(24, r), shape: [2, 3, 4] }],
  });
});

test("bad indices are clear errors naming the op, the index, the axis and its size", () => {
  const t = nb.zeros([2, 3]);
  const err = (E: typeof nb.NablaError, re: RegExp) => (e: Error) => e instanceof E && re.test(e.message);
  assert.throws(() => t.at(0, 3), err(nb.ValueError, /^at: index 3 is out of bounds for axis 1 with size 3$/));
  assert.throws(() => t.at("-3"), /at: index -3 is out of bounds for axis 0 with size 2/);
  assert.throws(() => t.at(":, [0, 3]"), /at: index 3 is out of bounds for axis 1 with size 3/);
  assert.throws(
    () => t.at("0, 0, 0"),
    err(nb.ShapeError, /at: too many indices for a tensor of shape \[2,3\]: 3 axes/),
  );
  assert.throws(() => t.at("..., ..."), /at: an index can have at most one ellipsis/);
  assert.throws(() => t.at("::0"), /at: slice step cannot be zero/);
  assert.throws(() => t.at("1:a"), /at: cannot parse index item "1:a" in "1:a": "a" is not an integer/);
  assert.throws(() => t.at("0,,1"), /at: cannot parse index item "" in "0,,1": empty item/);
  assert.throws(() => t.at("[0, 1"), /at: unbalanced brackets in index "\[0, 1"/);
  assert.throws(() => t.at("foo"), /at: cannot parse index item "foo"/);
  assert.throws(() => t.at(1.5), /at: index 1.5 is not an integer/);
  assert.throws(() => t.at({ begin: 1 } as never), /at: unknown slice key "begin"/);
  assert.throws(() => t.at(nb.tensor([0])), err(nb.DTypeError, /at: an index tensor must be int32, got float32/));
  assert.throws(() => t.at(nb.tensor([true, false])), /boolean masks are not supported/);
  assert.throws(() => t.at([0, 1], [0, 1, 2]), err(nb.ShapeError, /at: shapes \[2\] and \[3\] cannot be broadcast/));
  assert.throws(() => t.at("[[0, 1], [2]]"), /at: index list \[\[0, 1\], \[2\]\] is a ragged list/);
  assert.throws(() => t.take([6]), /take: index 6 is out of bounds for axis 0 with size 6/);
  assert.throws(() => t.take([0.5], 0), /take: indices must be integers, got 0.5/);
  assert.throws(() => t.take([0], 2), /take: axis 2 is out of range for a tensor of rank 2/);
  assert.throws(
    () => t.takeAlongAxis([0, 1], 1),
    /takeAlongAxis: indices of shape \[2\] must have the rank of x \[2,3\]/,
  );
  assert.throws(() => t.takeAlongAxis([[0], [1], [1]], 1), /takeAlongAxis: indices of shape \[3,1\]/);
  assert.throws(
    () => t.scatterAdd([0], nb.ones([3, 3]), 0),
    /scatterAdd: updates of shape \[3,3\] do not broadcast to \[1,3\]/,
  );
  assert.throws(
    () => nb.tensor([true]).scatterAdd([0], 1),
    err(nb.DTypeError, /scatterAdd: cannot add into a bool tensor/),
  );
  assert.throws(() => nb.oneHot([3], 3), /oneHot: label 3 is out of range for 3 classes/);
  assert.throws(() => nb.oneHot(nb.tensor([1]), 3), /oneHot: labels must be int32, got float32/);
  assert.throws(() => nb.oneHot([1], -1), /oneHot: the number of classes must be a non-negative integer, got -1/);
});

leakFreeTest("indexing leaves no buffers behind", () => {
  const t = nb.tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
  t.at("::-1, [0, 2]")
    .add(t.take([1, 0], 1))
    .dataSync();
  nb.oneHot(t.argmax(1), 3).dataSync();
  nb.grad((x: nb.Tensor) => x.at(1, [0, 0]).sum())(t).dataSync();
});

test("index lists need no constant buffer: a lazy result survives the tidy that built it", () => {
  const t = nb.tensor([10, 11, 12, 13]);
  const y = nb.tidy(() => t.at([3, 0, 0, 2]).add(t.take([1, 2, 3, 1])));
  assert.deepEqual(arr(y), [24, 22, 23, 23]);
});

// Indexing from a computed (unrealized) tensor inlines it under gather's and pad's masked loads.
test("out-of-range reads and slice gradients over computed inputs", () => {
  assert.deepEqual(arr(nb.arange(5).take(i32([7, -9, 1]))), [0, 0, 1]);
  assertClose(
    nb
      .grad((x: nb.Tensor) => x.at("1:").sum())(nb.tensor([1, 2, 3]))
      .dataSync(),
    [0, 1, 1],
  );
});
