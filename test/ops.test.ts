// Every row of the op table: forward values against the float64 reference on every backend
// (fast-check over shapes and data), result shapes and dtypes, finite-difference gradients,
// second derivatives of the nonlinear ops, and no leaked buffers.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import * as nb from "../src/index.js";
import { COMPOSITES, PRIMITIVES, type OpCase } from "./op-table.js";
import { assertClose, forEachBackend, gradCheck, hessianCheck, rng } from "./util.js";

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 });

/** Random inputs in the case's domain, away from its kinks. */
function inputs(c: OpCase, base: number[], dtype: nb.DType, seed: number, forGrad = false): nb.Tensor[] {
  const r = rng(seed);
  const shapes = c.shapes?.(base) ?? c.domain.map(() => base);
  return c.domain.map(([lo, hi], k) => {
    const dt = forGrad ? "float64" : (c.inputDTypes?.[k] ?? dtype);
    const n = (shapes[k] ?? base).reduce((a, b) => a * b, 1);
    const data = Array.from({ length: n }, () => {
      if (dt === "bool") return r() < 0.5 ? 1 : 0;
      if (dt === "int32") return Math.floor(lo + (hi - lo + 1) * r());
      let v = lo + (hi - lo) * r();
      for (const kink of c.kinks ?? []) if (Math.abs(v - kink) < 0.05) v = kink + 0.05 * Math.sign(v - kink || 1);
      return v;
    });
    return nb.tensor(data, { dtype: dt, shape: shapes[k] ?? base });
  });
}

const tolFor = (c: OpCase, d: nb.DType): { rtol: number; atol: number } =>
  d === "float64"
    ? { rtol: c.tol?.float64 ?? 1e-10, atol: c.tol?.float64 ?? 1e-10 }
    : d === "float32"
      ? { rtol: c.tol?.float32 ?? 2e-6, atol: c.tol?.float32 ?? 2e-6 }
      : { rtol: 0, atol: 0 };

function checkForward(name: string, c: OpCase, dtype: nb.DType): void {
  fc.assert(
    fc.property(shapeArb, fc.nat(1e6), (base, seed) => {
      const before = nb.memory().buffers;
      nb.tidy(() => {
        const xs = inputs(c, base, dtype, seed);
        const want = c.ref(
          ...xs.map((x) => ({ data: Float64Array.from(x.dataSync() as ArrayLike<number>), shape: x.shape })),
        );
        forEachBackend((backend) => {
          const out = c.build(...xs);
          assert.deepEqual(out.shape, want.shape, `${name} on ${backend}: shape`);
          const got = out.dataSync() as ArrayLike<number>;
          const scale = Math.max(1, ...Array.from(want.data, Math.abs).filter(Number.isFinite));
          const t = tolFor(c, out.dtype);
          assertClose(got, want.data, { rtol: t.rtol, atol: t.atol * scale }, `${name} ${dtype} on ${backend}`);
        });
      });
      assert.equal(nb.memory().buffers, before, `${name}: buffers leaked`);
    }),
    { numRuns: 12 },
  );
}

const isFloat = (d: nb.DType): boolean => d === "float32" || d === "float64";

function register(table: Record<string, OpCase>, kind: string): void {
  for (const [name, c] of Object.entries(table)) {
    test(`${kind} ${name}: forward vs float64 reference on every backend (${c.dtypes.join(", ")})`, () => {
      for (const d of c.dtypes) checkForward(name, c, d);
    });
    if (c.grad && c.dtypes.some(isFloat) && name !== "stopGradient") {
      test(`${kind} ${name}: gradient matches finite differences`, () => {
        for (const seed of [1, 2, 3]) {
          const base = [[3], [2, 3], [2, 2, 3]][seed - 1] as number[];
          const xs = inputs(c, base, "float64", seed, true);
          const wrt = (c.inputDTypes ?? []).map((d, i) => (d ? -1 : i)).filter((i) => i >= 0);
          const diff = c.domain.map((_, i) => i).filter((i) => !c.inputDTypes?.[i] || wrt.includes(i));
          gradCheck(c.build, {
            inputs: xs.map((x) => ({ data: x.dataSync() as ArrayLike<number>, shape: x.shape })),
            wrt: diff,
            seed,
          });
          nb.dispose(xs);
        }
      });
    }
    if (c.hessian && c.domain.length === 1) {
      test(`${kind} ${name}: second derivative matches finite differences`, () => {
        const [x] = inputs(c, [4], "float64", 5, true);
        hessianCheck((t) => c.build(t), (x as nb.Tensor).dataSync() as ArrayLike<number>, [4]);
        x?.dispose();
      });
    }
  }
}

register(PRIMITIVES, "primitive");
register(COMPOSITES, "composite");

test("stopGradient passes the value and blocks the derivative", () => {
  const g = nb.grad((x: nb.Tensor) => x.stopGradient().mul(x).sum())(nb.tensor([2, 3]));
  assert.deepEqual(Array.from(g.dataSync()), [2, 3]);
});

test("random: the same key gives the same numbers on every backend, in [0, 1), and normals look normal", () => {
  const draws: number[][] = [];
  forEachBackend(() => draws.push(Array.from(nb.rand([1000], { key: nb.random.key(42) }).dataSync())));
  for (const d of draws) assert.deepEqual(d, draws[0]);
  assert.ok((draws[0] as number[]).every((v) => v >= 0 && v < 1));
  const n = nb.randn([20000], { key: nb.random.key(7), dtype: "float64" });
  const mean = n.mean().item() as number;
  const sd = n.std().item() as number;
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(sd - 1) < 0.03, `mean ${mean}, std ${sd}`);
  nb.seed(5);
  const a = nb.rand([4]).dataSync();
  nb.seed(5);
  assert.deepEqual(Array.from(nb.rand([4]).dataSync()), Array.from(a));
  const [k1, k2] = nb.random.key(1).split(2) as [nb.RandomKey, nb.RandomKey];
  assert.notDeepEqual(
    Array.from(nb.rand([4], { key: k1 }).dataSync()),
    Array.from(nb.rand([4], { key: k2 }).dataSync()),
  );
  const ints = nb.randint(-3, 4, [5000], { key: nb.random.key(2) }).dataSync();
  assert.ok(Array.from(ints).every((v) => v >= -3 && v < 4 && Number.isInteger(v)));
  const rate = nb
    .bernoulli(0.3, [20000], { key: nb.random.key(3) })
    .astype("float32")
    .mean()
    .item() as number;
  assert.ok(Math.abs(rate - 0.3) < 0.02, `bernoulli rate ${rate}`);
});

test("promotion: bool < int32 < float32 < float64, weak JS scalars, true division", () => {
  const b = nb.tensor([true]);
  const i = nb.tensor([1], { dtype: "int32" });
  const f = nb.tensor([1]);
  const d = nb.tensor([1], { dtype: "float64" });
  assert.equal(b.add(i).dtype, "int32");
  assert.equal(i.add(f).dtype, "float32");
  assert.equal(f.add(d).dtype, "float64");
  assert.equal(f.add(2.5).dtype, "float32");
  assert.equal(i.add(2).dtype, "int32");
  assert.equal(i.add(2.5).dtype, "float32");
  assert.equal(i.div(i).dtype, "float32");
  assert.equal(i.lt(f).dtype, "bool");
  assert.equal(i.exp().dtype, "float32");
  assert.deepEqual(nb.tensor([[1, 2, 3]]).add(nb.tensor([[1], [2]])).shape, [2, 3]);
});

test("bad input: typed errors that name the op, the shapes or dtypes, and what was expected", () => {
  const x = nb.zeros([2, 3]);
  assert.throws(
    () => x.add(nb.zeros([4])),
    (e: Error) => e instanceof nb.ShapeError && /add: shapes \[2,3\] and \[4\] cannot be broadcast/.test(e.message),
  );
  assert.throws(() => x.matmul(nb.zeros([4, 5])), /matmul: inner dimensions differ: \[2,3\] @ \[4,5\]/);
  assert.throws(
    () => x.sum(2),
    (e: Error) => e instanceof nb.ValueError && /sum: axis 2 is out of range for a tensor of rank 2/.test(e.message),
  );
  assert.throws(() => x.reshape([4]), /reshape: cannot reshape \[2,3\] \(size 6\) to \[4\]/);
  assert.throws(
    () => nb.tensor([1], { dtype: "nope" as nb.DType }),
    (e: Error) => e instanceof nb.DTypeError && /tensor: unknown dtype nope/.test(e.message),
  );
  assert.throws(() => nb.tensor([[1, 2], [3]]), /tensor: ragged nested array/);
  assert.throws(
    () => x.matmul(nb.tensor([true, false])),
    (e: Error) => e instanceof nb.DTypeError && /matmul: expected numeric dtypes/.test(e.message),
  );
  const y = nb.ones([2]);
  y.dispose();
  assert.throws(
    () => y.add(1),
    (e: Error) => e instanceof nb.DisposedError && /tensor: this tensor of shape \[2\] was disposed/.test(e.message),
  );
  const z = nb.tensor([1, 2]);
  const lazy = z.mul(2);
  z.dispose();
  assert.throws(() => lazy.dataSync(), /already disposed/);
});
