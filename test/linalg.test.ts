// matmul, dot, outer and einsum against naive float64 loops; gradients against finite differences;
// einsum contractions become matmuls; error messages.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import * as nb from "../src/index.js";
import { assertClose, gradCheck, randomArray, rng } from "./util.js";

const f64 = (data: ArrayLike<number>, shape: readonly number[]): nb.Tensor =>
  nb.tensor(Float64Array.from(data), { shape, dtype: "float64" });
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

interface Arr {
  data: ArrayLike<number>;
  shape: number[];
}
const rand = (shape: number[], seed: number): Arr => ({ data: randomArray(prod(shape), rng(seed)), shape });
const tensorOf = (a: Arr): nb.Tensor => f64(a.data, a.shape);

/**
 * Naive einsum over letter subscripts with an explicit output: loops over every assignment of
 * every label; a size-1 axis reads index 0 (broadcast).
 */
function einsumRef(spec: string, ...ops: Arr[]): Arr {
  const [lhs, out] = spec.split("->") as [string, string];
  const terms = lhs.split(",");
  const size = new Map<string, number>();
  terms.forEach((t, i) =>
    [...t].forEach((l, ax) => {
      const d = ops[i]?.shape[ax] as number;
      size.set(l, Math.max(size.get(l) ?? 1, d));
    }),
  );
  const labels = [...size.keys()];
  const outShape = [...out].map((l) => size.get(l) as number);
  const res = new Float64Array(prod(outShape));
  const val = new Map<string, number>();
  const offset = (t: string, shape: readonly number[]): number =>
    [...t].reduce(
      (acc, l, ax) => acc * (shape[ax] as number) + ((shape[ax] as number) === 1 ? 0 : (val.get(l) as number)),
      0,
    );
  const loop = (i: number): void => {
    if (i === labels.length) {
      let p = 1;
      terms.forEach((t, k) => (p *= (ops[k] as Arr).data[offset(t, (ops[k] as Arr).shape)] as number));
      res[offset(out, outShape)] = (res[offset(out, outShape)] as number) + p;
      return;
    }
    const l = labels[i] as string;
    for (let v = 0; v < (size.get(l) as number); v++) {
      val.set(l, v);
      loop(i + 1);
    }
  };
  loop(0);
  return { data: res, shape: outShape };
}

function checkEinsum(spec: string, refSpec: string, ops: Arr[], tol = 1e-12): void {
  nb.tidy(() => {
    const got = nb.einsum(spec, ...ops.map(tensorOf));
    const ref = einsumRef(refSpec, ...ops);
    assert.deepEqual(got.shape, ref.shape, `einsum("${spec}") shape`);
    assertClose(got.dataSync(), ref.data, { rtol: tol, atol: tol }, `einsum("${spec}")`);
  });
}

test("matmul: batched with broadcasting, 1-D operands; and its gradient", () => {
  const a = rand([2, 1, 3, 4], 1);
  const b = rand([3, 4, 2], 2);
  const got = nb.matmul(tensorOf(a), tensorOf(b));
  assert.deepEqual(got.shape, [2, 3, 3, 2]);
  assertClose(got.dataSync(), einsumRef("xaij,ajk->xaik", a, b).data, { rtol: 1e-12 });
  assertClose(nb.matmul(tensorOf(rand([4], 3)), tensorOf(b)).dataSync(), einsumRef("j,ajk->ak", rand([4], 3), b).data);
  gradCheck((x, y) => nb.matmul(x, y), { inputs: [a, b] });
  gradCheck((x, y) => nb.matmul(x, y), { inputs: [rand([4], 4), rand([2, 4, 3], 5)] });
});

test("dot: a scalar for 1-D·1-D, NumPy semantics otherwise", () => {
  const v = rand([4], 1);
  const w = rand([4], 2);
  const d = nb.dot(tensorOf(v), tensorOf(w));
  assert.deepEqual(d.shape, []);
  assertClose(d.dataSync(), einsumRef("i,i->", v, w).data);
  const a = rand([2, 3, 4], 3);
  const b = rand([5, 4, 2], 4);
  const nd = nb.dot(tensorOf(a), tensorOf(b));
  assert.deepEqual(nd.shape, [2, 3, 5, 2]);
  assertClose(nd.dataSync(), einsumRef("ijk,lkm->ijlm", a, b).data, { rtol: 1e-12 });
  assertClose(nb.dot(tensorOf(a), tensorOf(v)).dataSync(), einsumRef("ijk,k->ij", a, v).data, { rtol: 1e-12 });
  assertClose(
    nb.dot(2, tensorOf(v)).dataSync(),
    Array.from(v.data, (x) => 2 * x),
  );
  assert.deepEqual(tensorOf(v).dot(tensorOf(w)).shape, []);
  gradCheck((x, y) => nb.dot(x, y), { inputs: [a, b] });
});

test("outer: a[i]·b[j], flattening other ranks; gradient", () => {
  const a = rand([3], 1);
  const b = rand([2, 2], 2);
  const o = nb.outer(tensorOf(a), tensorOf(b));
  assert.deepEqual(o.shape, [3, 4]);
  assertClose(o.dataSync(), einsumRef("i,j->ij", a, { data: b.data, shape: [4] }).data);
  assert.deepEqual(tensorOf(a).outer(tensorOf(a)).shape, [3, 3]);
  gradCheck((x, y) => nb.outer(x, y), { inputs: [a, b] });
});

test("einsum: explicit and implicit outputs, diagonals, traces, sums, batch dims, several operands", () => {
  const A = rand([3, 4], 1);
  const B = rand([4, 5], 2);
  const S = rand([3, 3], 3);
  checkEinsum("ij,jk->ik", "ij,jk->ik", [A, B]);
  checkEinsum("ij,jk", "ij,jk->ik", [A, B]);
  checkEinsum("ij,jk->ki", "ij,jk->ki", [A, B]);
  checkEinsum("ji", "ji->ij", [A]); // implicit output is alphabetical
  checkEinsum("ij->ji", "ij->ji", [A]);
  checkEinsum("ij->", "ij->", [A]);
  checkEinsum("ij->j", "ij->j", [A]);
  checkEinsum("ii->i", "ii->i", [S]);
  checkEinsum("ii", "ii->", [S]);
  checkEinsum("iji->j", "iji->j", [rand([3, 2, 3], 4)]);
  checkEinsum("iii->i", "iii->i", [rand([2, 2, 2], 5)]);
  checkEinsum("i,i->", "i,i->", [rand([4], 6), rand([4], 7)]);
  checkEinsum("i,j->ij", "i,j->ij", [rand([3], 6), rand([4], 7)]);
  checkEinsum("ij,ij->ij", "ij,ij->ij", [A, rand([3, 4], 8)]);
  checkEinsum("bij,bjk->bik", "bij,bjk->bik", [rand([2, 3, 4], 9), rand([2, 4, 2], 10)]);
  checkEinsum("bij,bkj->bki", "bij,bkj->bki", [rand([2, 3, 4], 9), rand([2, 5, 4], 10)]);
  checkEinsum("ij,jk,kl->il", "ij,jk,kl->il", [A, B, rand([5, 2], 11)]);
  checkEinsum("ij,jk,ik->k", "ij,jk,ik->k", [A, B, rand([3, 5], 12)]);
  checkEinsum("ab,cd,bd", "ab,cd,bd->ac", [rand([2, 3], 13), rand([2, 4], 14), rand([3, 4], 15)]);
  checkEinsum("ii,ij->j", "ii,ij->j", [S, rand([3, 2], 16)]);
  checkEinsum("i j , j k -> i k", "ij,jk->ik", [A, B]);
  // size-1 axes broadcast
  checkEinsum("ij,ij->ij", "ij,ij->ij", [rand([1, 4], 17), A]);
});

test("einsum: ellipsis broadcasting", () => {
  const a = rand([2, 1, 3, 4], 1);
  const b = rand([5, 4, 2], 2);
  checkEinsum("...ij,...jk->...ik", "xyij,yjk->xyik", [a, b]);
  checkEinsum("...ij,...jk", "xyij,yjk->xyik", [a, b]);
  checkEinsum("i...->...i", "iab->abi", [rand([3, 2, 4], 3)]);
  checkEinsum("...ii->...i", "aii->ai", [rand([2, 3, 3], 4)]);
  checkEinsum("...i,...i->...", "ai,ai->a", [rand([2, 3], 5), rand([1, 3], 6)]);
  checkEinsum("...ij->ij", "aij->ij", [rand([2, 3, 4], 7)]);
  checkEinsum("ij...,j->i...", "ijab,j->iab", [rand([2, 3, 2, 1], 8), rand([3], 9)]);
});

test("einsum property: random matmul-like specs match the naive loops", () => {
  const letters = "abcdefghpqrs";
  fc.assert(
    fc.property(
      fc.record({
        perm: fc.shuffledSubarray([...letters], { minLength: 4, maxLength: 4 }),
        sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 4, maxLength: 4 }),
        batch: fc.boolean(),
        orders: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 3, maxLength: 3 }),
        seed: fc.integer({ min: 1, max: 1000 }),
      }),
      ({ perm, sizes, batch, orders, seed }) => {
        const [bl, m, k, n] = perm as [string, string, string, string];
        const size = new Map(perm.map((l, i) => [l, sizes[i] as number]));
        const shuffle = (ls: string[], o: number): string[] => {
          const r = rng(o + 1);
          return [...ls].sort(() => r() - 0.5);
        };
        const lhs = shuffle(batch ? [bl, m, k] : [m, k], orders[0] as number);
        const rhs = shuffle(batch ? [bl, k, n] : [k, n], orders[1] as number);
        const out = shuffle(batch ? [bl, m, n] : [m, n], orders[2] as number);
        const spec = `${lhs.join("")},${rhs.join("")}->${out.join("")}`;
        const shapeOf = (ls: string[]): number[] => ls.map((l) => size.get(l) as number);
        checkEinsum(spec, spec, [rand(shapeOf(lhs), seed), rand(shapeOf(rhs), seed + 1)]);
      },
    ),
    { numRuns: 30, seed: 7 },
  );
});

test("einsum gradients", () => {
  gradCheck((a, b) => nb.einsum("bij,bjk->bik", a, b), { inputs: [rand([2, 3, 4], 1), rand([2, 4, 2], 2)] });
  gradCheck((a) => nb.einsum("ii->i", a), { inputs: [rand([3, 3], 3)] });
  gradCheck((a) => nb.einsum("ii", a), { inputs: [rand([3, 3], 4)] });
  gradCheck((a, b, c) => nb.einsum("ij,jk,ik->k", a, b, c), {
    inputs: [rand([2, 3], 5), rand([3, 4], 6), rand([2, 4], 7)],
  });
  gradCheck((a, b) => nb.einsum("...ij,...jk->...ik", a, b), { inputs: [rand([2, 1, 2, 3], 8), rand([3, 3, 2], 9)] });
});

test("a two-operand contraction is one matmul, with no broadcast product in the graph", () => {
  const a = nb.zeros([2, 8, 16]);
  const b = nb.zeros([2, 16, 8]);
  const y = nb.einsum("bij,bjk->bik", a, b);
  const ops: string[] = [];
  let biggest = 0;
  const seen = new Set<unknown>();
  const walk = (n: nb.Tensor["node"]): void => {
    if (seen.has(n)) return;
    seen.add(n);
    ops.push(n.op);
    biggest = Math.max(biggest, prod(n.shape));
    n.inputs.forEach(walk);
  };
  walk(y.node);
  assert.equal(ops.filter((o) => o === "matmul").length, 1);
  assert.ok(biggest <= 2 * 8 * 16, `largest node has ${biggest} elements (a broadcast product has 2048)`);
});

test("einsum and dot errors name the op, the subscripts and the shapes", () => {
  const A = nb.zeros([3, 4]);
  const B = nb.zeros([5, 6]);
  assert.throws(() => nb.einsum("ij,jk->ik", A), /einsum: subscripts "ij,jk->ik" name 2 operand\(s\), got 1/);
  assert.throws(() => nb.einsum("ijk", A), /einsum: operand 0 has subscripts "ijk" for 3 axes but shape \[3,4\]/);
  assert.throws(
    () => nb.einsum("ij,jk->ik", A, B),
    /einsum: label "j" has size 4 in operand 0 \[3,4\] but 5 in operand 1 \[5,6\]/,
  );
  assert.throws(() => nb.einsum("ij->iz", A), /einsum: output label "z" is in no operand/);
  assert.throws(() => nb.einsum("ij->ii", A), /einsum: output label "i" repeats/);
  assert.throws(() => nb.einsum("i1", A), /einsum: invalid character "1"/);
  assert.throws(() => nb.einsum("ii->i", A), /einsum: label "i" repeats in operand 0 \[3,4\] with different sizes/);
  assert.throws(() => nb.einsum("...i...", A), /einsum: more than one "\.\.\."/);
  assert.throws(() => nb.einsum("ij", nb.tensor([[true]])), /einsum: expected numeric operands/);
  assert.throws(
    () => nb.dot(nb.zeros([2, 3]), nb.zeros([4, 2, 5])),
    /dot: last axis of \[2,3\] \(3\) differs from the second-to-last of \[4,2,5\]/,
  );
  assert.throws(() => nb.einsum("ij,jk->ik", A, B), nb.ShapeError);
});
