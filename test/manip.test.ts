// concat, stack, split, chunk, pad, flip, tile, repeat, triu, tril: values against naive loops over
// flat row-major arrays, fast-check properties, gradients and error messages.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import * as nb from "../src/index.js";
import { assertClose, gradCheck, leakFreeTest, randomArray, rng } from "./util.js";

// ---- a naive reference: flat row-major arrays and multi-index loops ----
interface Arr {
  data: number[];
  shape: number[];
}
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
/** Every multi-index of `shape` in row-major order. */
function indices(shape: readonly number[]): number[][] {
  const out: number[][] = [];
  const cur = shape.map(() => 0);
  for (let k = 0; k < size(shape); k++) {
    out.push([...cur]);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++(cur[d] as number) < (shape[d] as number)) break;
      cur[d] = 0;
    }
  }
  return out;
}
const get = (a: Arr, idx: readonly number[]): number =>
  a.data[idx.reduce((f, i, d) => f * (a.shape[d] as number) + i, 0)] as number;
const fromFn = (shape: number[], f: (idx: number[]) => number): Arr => ({ shape, data: indices(shape).map(f) });
const arange = (shape: number[]): Arr => ({ shape, data: Array.from({ length: size(shape) }, (_, i) => i) });
const T = (a: Arr, dtype: nb.DType = "float32"): nb.Tensor => nb.tensor(a.data, { shape: a.shape, dtype });
function check(t: nb.Tensor, want: Arr, what = "value"): void {
  assert.deepEqual(t.shape, want.shape, `${what}: shape`);
  assertClose(t.dataSync(), want.data, {}, what);
}

function refConcat(xs: Arr[], axis: number): Arr {
  const offs = xs.map((_, i) => xs.slice(0, i).reduce((n, x) => n + (x.shape[axis] as number), 0));
  const shape = [...(xs[0] as Arr).shape];
  shape[axis] = xs.reduce((n, x) => n + (x.shape[axis] as number), 0);
  return fromFn(shape, (idx) => {
    const i = idx[axis] as number;
    const k = offs.findLastIndex((o, j) => i >= o && i < o + ((xs[j] as Arr).shape[axis] as number));
    return get(
      xs[k] as Arr,
      idx.map((v, d) => (d === axis ? v - (offs[k] as number) : v)),
    );
  });
}
const refTile = (a: Arr, reps: number[]): Arr => {
  const nd = Math.max(a.shape.length, reps.length);
  const xs = [...Array<number>(nd - a.shape.length).fill(1), ...a.shape];
  const rs = [...Array<number>(nd - reps.length).fill(1), ...reps];
  const b = { data: a.data, shape: xs };
  return fromFn(
    xs.map((d, i) => d * (rs[i] as number)),
    (idx) =>
      get(
        b,
        idx.map((v, i) => v % (xs[i] as number)),
      ),
  );
};
const refRepeat = (a: Arr, r: number, axis: number): Arr =>
  fromFn(
    a.shape.map((d, i) => (i === axis ? d * r : d)),
    (idx) =>
      get(
        a,
        idx.map((v, i) => (i === axis ? Math.floor(v / r) : v)),
      ),
  );

test("concat joins along any axis, with sizes that differ only there", () => {
  const a = arange([2, 3]);
  const b = { shape: [2, 1], data: [10, 20] };
  const c = { shape: [2, 2], data: [-1, -2, -3, -4] };
  check(nb.concat([T(a), T(b), T(c)], 1), refConcat([a, b, c], 1));
  check(nb.concat([T(a), T(b), T(c)], -1), refConcat([a, b, c], 1));
  const d = arange([1, 3]);
  check(nb.concat([T(a), T(d)]), refConcat([a, d], 0));
  check(nb.concat([T(a)], 0), a);
  check(nb.concat([T(a), T({ shape: [0, 3], data: [] }), T(d)]), refConcat([a, d], 0));
});

test("concat promotes dtypes and joins bool tensors", () => {
  const out = nb.concat([nb.tensor([1, 2], { dtype: "int32" }), nb.tensor([0.5])]);
  assert.equal(out.dtype, "float32");
  assertClose(out.dataSync(), [1, 2, 0.5]);
  const ints = nb.concat([nb.tensor([1], { dtype: "int32" }), nb.tensor([true, false])]);
  assert.equal(ints.dtype, "int32");
  assert.deepEqual(ints.arraySync(), [1, 1, 0]);
  assert.deepEqual(nb.concat([nb.tensor([true]), nb.tensor([false, true])]).arraySync(), [true, false, true]);
});

test("stack adds a new axis at any position", () => {
  const a = arange([2, 3]);
  const b = { shape: [2, 3], data: a.data.map((v) => -v) };
  for (const axis of [0, 1, 2, -1]) {
    const ax = axis < 0 ? axis + 3 : axis;
    const want = fromFn([2, 3].toSpliced(ax, 0, 2), (idx) => get(idx[ax] === 0 ? a : b, idx.toSpliced(ax, 1)));
    check(nb.stack([T(a), T(b)], axis), want, `stack axis ${axis}`);
  }
});

test("split into equal parts or given sizes; chunk follows torch.chunk", () => {
  const a = arange([6, 2]);
  const parts = nb.split(T(a), 3);
  assert.equal(parts.length, 3);
  parts.forEach((p, i) => check(p, { shape: [2, 2], data: a.data.slice(4 * i, 4 * i + 4) }));
  const [p, q] = nb.split(T(a), [1, 5], 0) as [nb.Tensor, nb.Tensor];
  check(p, { shape: [1, 2], data: [0, 1] });
  assert.deepEqual(q.shape, [5, 2]);
  assert.equal(q.node.op, "slice", "a piece is a view");
  assert.deepEqual(
    nb.split(T(a), 2, 1).map((t) => Array.from(t.dataSync())),
    [
      [0, 2, 4, 6, 8, 10],
      [1, 3, 5, 7, 9, 11],
    ],
  );
  assert.deepEqual(
    nb.chunk(nb.tensor([0, 1, 2, 3, 4]), 2).map((t) => t.shape[0]),
    [3, 2],
  );
  assert.deepEqual(
    nb.chunk(nb.tensor([0, 1, 2, 3, 4, 5]), 4).map((t) => t.shape[0]),
    [2, 2, 2],
  );
  assert.deepEqual(
    nb.chunk(nb.zeros([0, 2]), 3).map((t) => t.shape),
    [
      [0, 2],
      [0, 2],
      [0, 2],
    ],
  );
  assertClose((nb.chunk(nb.tensor([0, 1, 2, 3, 4]), 2)[1] as nb.Tensor).dataSync(), [3, 4]);
});

test("pad: per-axis pairs, one pair for all axes, trailing axes, a number, negative widths crop", () => {
  const a = arange([2, 3]);
  const padRef = (w: number[][], v: number): Arr =>
    fromFn(
      a.shape.map((d, i) => d + w[i]![0]! + w[i]![1]!),
      (idx) => {
        const src = idx.map((x, i) => x - w[i]![0]!);
        return src.every((s, i) => s >= 0 && s < a.shape[i]!) ? get(a, src) : v;
      },
    );
  const w10_21: [number, number][] = [[1, 0], [2, 1]]; // prettier-ignore
  const w12: [number, number][] = [[1, 2]];
  check(nb.pad(T(a), w10_21), padRef(w10_21, 0));
  check(nb.pad(T(a), w12, -5), padRef([...w12, ...w12], -5));
  check(T(a).pad(1, 7), padRef([[1, 1], [1, 1]], 7)); // prettier-ignore
  const trailing: [number, number][] = [[0, 0], [0, 1]]; // prettier-ignore
  check(nb.pad(T(arange([2, 2, 3])), trailing).at(0), padRef(trailing, 0));
  check(nb.pad(T(a), [[0, 0], [-1, 1]], 9), { shape: [2, 3], data: [1, 2, 9, 4, 5, 9] }); // prettier-ignore
  assert.deepEqual(nb.pad(nb.tensor([1, 2], { dtype: "int32" }), 1, 2.7).arraySync(), [2, 1, 2, 2]);
});

test("flip reverses the given axes (all by default) as a view", () => {
  const a = arange([2, 3, 2]);
  const rev = (axes: number[]): Arr =>
    fromFn(a.shape, (idx) =>
      get(
        a,
        idx.map((v, i) => (axes.includes(i) ? (a.shape[i] as number) - 1 - v : v)),
      ),
    );
  check(nb.flip(T(a)), rev([0, 1, 2]));
  check(T(a).flip(1), rev([1]));
  check(nb.flip(T(a), [0, -1]), rev([0, 2]));
  assert.equal(nb.flip(T(a), 1).node.op, "flip");
});

test("tile and repeat match naive loops (fast-check)", () => {
  const shapeArb = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 3 });
  fc.assert(
    fc.property(shapeArb, fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }), (shape, reps) => {
      const a = arange(shape);
      check(nb.tile(T(a), reps), refTile(a, reps), `tile ${JSON.stringify(shape)} by ${JSON.stringify(reps)}`);
    }),
    { numRuns: 60 },
  );
  fc.assert(
    fc.property(shapeArb, fc.integer({ min: 0, max: 3 }), fc.integer({ min: -4, max: 3 }), (shape, r, ax) => {
      const a = arange(shape);
      if (ax < -shape.length || ax >= shape.length) {
        const flat = { data: a.data, shape: [a.data.length] };
        check(nb.repeat(T(a), r), refRepeat(flat, r, 0), "repeat flattened");
      } else {
        const axis = ax < 0 ? ax + shape.length : ax;
        check(nb.repeat(T(a), r, ax), refRepeat(a, r, axis), `repeat ${JSON.stringify(shape)} x${r} axis ${ax}`);
      }
    }),
    { numRuns: 60 },
  );
});

test("concat then split gives the inputs back (fast-check)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
      fc.nat(),
      (shape, sizes, pick) => {
        const axis = pick % shape.length;
        const parts = sizes.map((s, k) => {
          const sh = shape.map((d, i) => (i === axis ? s : d));
          return { shape: sh, data: Array.from({ length: size(sh) }, (_, i) => 100 * k + i) };
        });
        const joined = nb.concat(
          parts.map((p) => T(p)),
          axis,
        );
        check(joined, refConcat(parts, axis), "concat");
        nb.split(joined, sizes, axis).forEach((p, k) => check(p, parts[k] as Arr, `piece ${k}`));
      },
    ),
    { numRuns: 60 },
  );
});

test("triu and tril keep a triangle of the last two axes", () => {
  const a = arange([2, 3, 4]);
  for (const k of [-2, -1, 0, 1, 3]) {
    check(
      nb.triu(T(a), k),
      fromFn(a.shape, (idx) => (idx[2]! - idx[1]! >= k ? get(a, idx) : 0)),
      `triu ${k}`,
    );
    check(
      T(a).tril(k),
      fromFn(a.shape, (idx) => (idx[2]! - idx[1]! <= k ? get(a, idx) : 0)),
      `tril ${k}`,
    );
  }
  assert.deepEqual(
    nb
      .tril(
        nb.tensor([
          [true, true],
          [true, true],
        ]),
      )
      .arraySync(),
    [
      [true, false],
      [true, true],
    ],
  );
});

test("gradients of concat, stack, pad, flip, tile, repeat, triu and tril match finite differences", () => {
  const r = rng(3);
  const A = { data: randomArray(6, r), shape: [2, 3] };
  const B = { data: randomArray(4, r), shape: [2, 2] };
  gradCheck((a, b) => nb.concat([a, b, a], 1), { inputs: [A, B] });
  gradCheck((a, b) => nb.stack([a, b.flip(1), a], 1), { inputs: [A, { data: randomArray(6, r), shape: [2, 3] }] });
  gradCheck((a) => a.pad([[1, 2]], 3).square(), { inputs: [A] });
  gradCheck(
    (a) =>
      a
        .pad([
          [0, 0],
          [-1, 2],
        ])
        .square(),
    { inputs: [A] },
  );
  gradCheck((a) => a.flip().mul(a), { inputs: [A] });
  gradCheck((a) => a.tile([2, 1, 2]).square(), { inputs: [A] });
  gradCheck((a) => a.repeat(3, 1).square(), { inputs: [A] });
  gradCheck((a) => a.repeat(2).square(), { inputs: [A] });
  gradCheck((a) => a.triu(1).add(a.tril(-1).mul(2)).square(), { inputs: [{ data: randomArray(9, r), shape: [3, 3] }] });
  gradCheck((a) => nb.split(a, [1, 2], 1)[1]!.square(), { inputs: [A] });
});

test("bad shapes, axes and sizes are clear errors", () => {
  const a = nb.zeros([2, 3]);
  assert.throws(() => nb.concat([]), /concat: expected at least one tensor/);
  assert.throws(
    () => nb.concat([a, nb.zeros([3, 3])], 1),
    (e: Error) => e instanceof nb.ShapeError && /concat: tensor 1 has shape \[3,3\], expected \[2,\*\]/.test(e.message),
  );
  assert.throws(() => nb.concat([a, nb.zeros([2, 3, 1])]), /concat: tensor 1 has shape \[2,3,1\]/);
  assert.throws(() => nb.concat([a, a], 2), /concat: axis 2 is out of range for a tensor of rank 2/);
  assert.throws(() => nb.concat([nb.tensor(1), nb.tensor(2)]), /concat: cannot concatenate 0-d tensors/);
  assert.throws(() => nb.stack([a, nb.zeros([3, 2])]), /stack: tensor 1 has shape \[3,2\], expected \[2,3\]/);
  assert.throws(() => nb.stack([a], 3), /stack: axis 3 is out of range/);
  assert.throws(() => nb.split(a, 2, 1), /split: axis 1 of \[2,3\] has size 3, which does not divide into 2/);
  assert.throws(() => nb.split(a, [1, 1], 1), /split: section sizes \[1,1\] must be .* adding up to 3/);
  assert.throws(() => nb.chunk(a, 0), /chunk: the number of chunks must be a positive integer, got 0/);
  assert.throws(
    () =>
      nb.pad(a, [
        [1, 1],
        [1, 1],
        [1, 1],
      ]),
    /pad: got 3 \[before, after\] pairs for a tensor of shape \[2,3\]/,
  );
  assert.throws(
    () =>
      nb.pad(a, [
        [0, 0],
        [-2, -2],
      ]),
    /pad: widths \[-2,-2\] for axis 1 of \[2,3\]/,
  );
  assert.throws(() => nb.tile(a, [2, -1]), /tile: reps \[2,-1\] must be non-negative integers/);
  assert.throws(() => nb.repeat(a, 1.5), /repeat: repeats must be a non-negative integer, got 1.5/);
  assert.throws(() => nb.flip(a, 2), /flip: axis 2 is out of range/);
  assert.throws(
    () => nb.triu(nb.zeros([3])),
    (e: Error) => e instanceof nb.ShapeError && /triu: expected a matrix .* got shape \[3\]/.test(e.message),
  );
});

leakFreeTest("manipulation ops leave no buffers behind", () => {
  const a = nb.tensor([1, 2, 3, 4], { shape: [2, 2] });
  nb.concat([a, a.flip(0)], 1)
    .tile([2, 1])
    .repeat(2, 0)
    .triu()
    .dataSync();
  nb.split(nb.stack([a, a]), 2).forEach((p) => p.dataSync());
});

// Kernels inline producers such as `full` and `iota` into pad's masked load; the mask must then
// gate the inlined expression.
test("pad and concat of computed (unrealized) inputs", () => {
  assertClose(nb.ones([2]).pad(1).dataSync(), [0, 1, 1, 0]);
  assertClose(nb.concat([nb.ones([1, 2]), nb.zeros([1, 1])], 1).dataSync(), [1, 1, 0]);
});
