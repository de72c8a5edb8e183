// Properties from the op table (test/op-table.ts), for every row of the primitive and composite
// tables: (1) forward values against the float64 reference on every backend, (2) result shapes
// and dtypes (NumPy broadcasting and promotion, weak JS scalars), (3) finite-difference gradients,
// (4) second derivatives of the nonlinear ops, (5) no leaked buffers; then (6) error messages and
// the NumPy semantics that don't fit a row.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import * as nb from "../src/index.js";
import {
  COMPOSITE_TABLE,
  DEFAULT_TOL,
  OP_TABLE,
  allCases,
  broadcastShape,
  castRef,
  genData,
  isFloatD,
  promoteD,
  shapeArb,
  threefryRef,
  weakD,
  type AnyCase,
  type Arr,
  type Ctx,
  type DType,
  type InputSpec,
  type Sample,
} from "./op-table.js";
import { assertClose, forEachBackend, gradCheck, hessianCheck, leakFreeTest, rng } from "./util.js";

const RUNS = { forward: 30, rules: 60, mixed: 30, grad: 10, hessian: 3 };
const seedArb = fc.integer({ min: 1, max: 0x7fffffff });
const DTYPES: DType[] = ["bool", "int32", "float32", "float64"];

const toTensor = (a: Arr, d: DType): nb.Tensor => nb.tensor(Float64Array.from(a.data), { shape: a.shape, dtype: d });

/** Input values of one instance: each input's dtype is its fixed one or the row dtype. */
function instance(c: AnyCase, s: Sample<unknown>, dtype: DType, seed: number, forGrad = false): Ctx {
  const r = rng(seed);
  const dtypes = c.inputs.map((i) => i.dtype ?? dtype);
  const raw = c.inputs.map((spec, k) => genData(s.shapes[k] ?? [], spec, dtypes[k] as DType, r, forGrad));
  return { dtype, dtypes, raw };
}

const fmt = (s: Sample<unknown>, ctx: Ctx): string =>
  `shapes ${JSON.stringify(s.shapes)} params ${JSON.stringify(s.params)} dtypes ${ctx.dtypes.join(",")}`;

/** Compares a result with the reference: shape, dtype and values (exact for int32 and bool). */
function checkValue(c: AnyCase, y: nb.Tensor, want: Arr, wantDtype: DType, what: string): void {
  assert.deepEqual(y.shape, want.shape, `${what}: shape`);
  assert.equal(y.dtype, wantDtype, `${what}: dtype`);
  const tol = c.tol?.[wantDtype] ?? DEFAULT_TOL[wantDtype];
  const got = Array.from(y.dataSync() as ArrayLike<number>);
  const exp = isFloatD(wantDtype) ? want.data : want.data.map((v) => castRef(v, wantDtype));
  assertClose(got, exp, tol, what);
}

// ---------------------------------------------------------------------------------------------
// (1)–(5) for every row.

for (const { c, rows } of allCases()) {
  describe(`op table: ${c.id} (${rows.join(", ")})`, () => {
    leakFreeTest("forward values match the float64 reference on every backend", () => {
      for (const dtype of c.dtypes) {
        fc.assert(
          fc.property(c.gen, seedArb, (s, seed) => {
            const before = nb.memory().buffers;
            const ctx = instance(c, s, dtype, seed);
            const want = c.ref(ctx.raw, s.params, ctx);
            const wantDtype = c.outDtype(ctx, s.params);
            forEachBackend((backend) => {
              nb.tidy(() => {
                const xs = ctx.raw.map((a, k) => toTensor(a, ctx.dtypes[k] as DType));
                const y = c.build(xs, s.params, ctx);
                checkValue(c, y, want, wantDtype, `${c.id} on ${backend}, ${fmt(s, ctx)}`);
              });
            });
            assert.equal(nb.memory().buffers, before, `${c.id}: buffers leaked (${fmt(s, ctx)})`);
          }),
          { numRuns: RUNS.forward, includeErrorInReport: true },
        );
      }
    });

    leakFreeTest("result shape and dtype follow the rules", () => {
      fc.assert(
        fc.property(c.gen, seedArb, fc.nat(c.dtypes.length - 1), (s, seed, di) => {
          const ctx = instance(c, s, c.dtypes[di] as DType, seed);
          nb.tidy(() => {
            const y = c.build(
              ctx.raw.map((a, k) => toTensor(a, ctx.dtypes[k] as DType)),
              s.params,
              ctx,
            );
            const what = `${c.id}, ${fmt(s, ctx)}`;
            assert.deepEqual(y.shape, c.ref(ctx.raw, s.params, ctx).shape, `${what}: shape`);
            assert.equal(y.dtype, c.outDtype(ctx, s.params), `${what}: dtype`);
          });
        }),
        { numRuns: RUNS.rules, includeErrorInReport: true },
      );
    });

    if (c.mixed) {
      leakFreeTest("mixed dtypes and weak JS scalars: NumPy promotion, values", () => {
        const pair = fc.tuple(fc.constantFrom(...DTYPES), fc.constantFrom(...DTYPES));
        fc.assert(
          fc.property(
            c.gen,
            seedArb,
            pair,
            fc.constantFrom("tensors", "scalar right", "scalar left"),
            (s, seed, [da, db], mode) => {
              const r = rng(seed);
              if (mode === "tensors") {
                if (!c.dtypes.includes(promoteD(da, db))) return;
                const raw = [0, 1].map((k) =>
                  genData(s.shapes[k] ?? [], c.inputs[k] as InputSpec, [da, db][k] as DType, r),
                );
                const ctx: Ctx = { dtype: promoteD(da, db), dtypes: [da, db], raw };
                const want = c.ref(raw, s.params, ctx);
                nb.tidy(() => {
                  const y = c.build([toTensor(raw[0] as Arr, da), toTensor(raw[1] as Arr, db)], s.params, ctx);
                  checkValue(c, y, want, c.outDtype(ctx, s.params), `${c.id} ${da} with ${db}, ${fmt(s, ctx)}`);
                });
                return;
              }
              // a tensor of dtype da and a JS number (an integer or not) that must not widen it
              const k = mode === "scalar right" ? 1 : 0;
              const dom = (c.inputs[k] as { domain: { lo: number; hi: number; minAbs?: number } }).domain;
              let v = dom.lo + (dom.hi - dom.lo) * r();
              if (r() < 0.5 || !isFloatD(promoteD(da, "float32"))) v = Math.round(v);
              if (Math.abs(v) < (dom.minAbs ?? 0)) v = Math.sign(v || 1) * Math.max(1, dom.minAbs ?? 0);
              const eff = weakD(da, v);
              if (!c.dtypes.includes(eff)) return;
              const t = genData(s.shapes[1 - k] ?? [], c.inputs[1 - k] as InputSpec, da, r);
              const sArr: Arr = { data: [castRef(v, eff)], shape: [] };
              const raw = k === 1 ? [t, sArr] : [sArr, t];
              const ctx: Ctx = { dtype: eff, dtypes: [eff, eff], raw };
              const want = c.ref(raw, s.params, ctx);
              nb.tidy(() => {
                const tt = toTensor(t, da);
                const fn = c.build as unknown as (xs: (nb.Tensor | number)[], p: unknown, ctx: Ctx) => nb.Tensor;
                const y = fn(k === 1 ? [tt, v] : [v, tt], s.params, ctx);
                checkValue(c, y, want, c.outDtype(ctx, s.params), `${c.id} ${da} tensor with scalar ${v} (${mode})`);
              });
            },
          ),
          { numRuns: RUNS.mixed, includeErrorInReport: true },
        );
      });

      leakFreeTest("shapes that don't broadcast are a ShapeError naming the op and both shapes", () => {
        fc.assert(
          fc.property(shapeArb({ maxRank: 3 }), shapeArb({ maxRank: 3 }), (a, b) => {
            nb.tidy(() => {
              const x = nb.zeros(a, { dtype: c.dtypes[0] as DType });
              const y = nb.zeros(b, { dtype: c.dtypes[0] as DType });
              const ctx: Ctx = {
                dtype: c.dtypes[0] as DType,
                dtypes: [c.dtypes[0] as DType, c.dtypes[0] as DType],
                raw: [],
              };
              const want = broadcastShape(a, b);
              if (want) assert.deepEqual(c.build([x, y], undefined, ctx).shape, want);
              else
                assert.throws(
                  () => c.build([x, y], undefined, ctx),
                  (e: Error) =>
                    e instanceof nb.ShapeError &&
                    e.message.includes(`shapes [${a.join(",")}] and [${b.join(",")}] cannot be broadcast`),
                );
            });
          }),
          { numRuns: RUNS.rules, includeErrorInReport: true },
        );
      });
    }

    if (c.grad && c.dtypes.includes("float64")) {
      leakFreeTest(
        c.grad === "zero"
          ? "the gradient is zero"
          : "gradients match finite differences (float64, one random direction)",
        () => {
          fc.assert(
            fc.property(c.gen, seedArb, (s, seed) => {
              // resample the values until the point is away from kinks
              let ctx = instance(c, s, "float64", seed, true);
              for (let t = 1; t < 30 && c.gradOk && !c.gradOk(ctx.raw, s.params); t++)
                ctx = instance(c, s, "float64", seed + 7919 * t, true);
              if (c.gradOk && !c.gradOk(ctx.raw, s.params)) return;
              // NaN or infinite values (the mean of nothing) have no finite differences
              if (!c.ref(ctx.raw, s.params, ctx).data.every(Number.isFinite)) return;
              const free = ctx.dtypes.flatMap((d, k) => (c.inputs[k]?.dtype === undefined && isFloatD(d) ? [k] : []));
              if (free.length === 0) return;
              nb.tidy(() => {
                const fixed = ctx.raw.map((a, k) => (free.includes(k) ? null : toTensor(a, ctx.dtypes[k] as DType)));
                const f = (...vs: nb.Tensor[]): nb.Tensor => {
                  const xs = fixed.map((t, k) => t ?? (vs[free.indexOf(k)] as nb.Tensor));
                  return c.build(xs, s.params, ctx);
                };
                if (c.grad === "zero") {
                  const xs = free.map((k) => toTensor(ctx.raw[k] as Arr, "float64"));
                  const gs = nb.grad(
                    (...vs: nb.Tensor[]) =>
                      f(...vs)
                        .astype("float64")
                        .sum(),
                    {
                      argnums: free.map((_, i) => i),
                    },
                  )(...xs) as nb.Tensor[];
                  for (const g of gs)
                    assert.ok(
                      Array.from(g.dataSync()).every((v) => v === 0),
                      `${c.id}: nonzero gradient`,
                    );
                  return;
                }
                try {
                  gradCheck(f, {
                    inputs: free.map((k) => ctx.raw[k] as Arr),
                    seed,
                    ...(c.gradEps ? { eps: c.gradEps } : {}),
                    ...(c.gradTol ? { tol: c.gradTol } : {}),
                  });
                } catch (e) {
                  throw new Error(`${c.id}: ${fmt(s, ctx)}: ${(e as Error).message}`);
                }
              });
            }),
            { numRuns: RUNS.grad, includeErrorInReport: true },
          );
        },
      );
    }

    if (c.hessian) {
      leakFreeTest("second derivatives (Hessian-vector products) match differences of the gradient", () => {
        fc.assert(
          fc.property(
            c.gen.filter((s) => s.shapes.every((sh) => sh.reduce((a, b) => a * b, 1) > 0)),
            seedArb,
            (s, seed) => {
              let ctx = instance(c, s, "float64", seed, true);
              for (let t = 1; t < 30 && c.gradOk && !c.gradOk(ctx.raw, s.params); t++)
                ctx = instance(c, s, "float64", seed + 7919 * t, true);
              if (c.gradOk && !c.gradOk(ctx.raw, s.params)) return;
              ctx.raw.forEach((a, k) => {
                if (c.inputs[k]?.dtype !== undefined) return;
                nb.tidy(() => {
                  const xs = ctx.raw.map((b) => toTensor(b, "float64"));
                  try {
                    hessianCheck(
                      (v) =>
                        c.build(
                          xs.map((x, j) => (j === k ? v : x)),
                          s.params,
                          ctx,
                        ),
                      a.data,
                      a.shape,
                      { rtol: 1e-4, atol: 1e-5 },
                    );
                  } catch (e) {
                    throw new Error(`${c.id} input ${k}: ${fmt(s, ctx)}: ${(e as Error).message}`);
                  }
                });
              });
            },
          ),
          { numRuns: RUNS.hessian, includeErrorInReport: true },
        );
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The tables themselves.

test("the op table has one row per registered primitive, and the composites are distinct functions", () => {
  assert.deepEqual(Object.keys(OP_TABLE).sort(), Object.keys(nb.OPS).sort());
  assert.ok(Object.keys(COMPOSITE_TABLE).every((k) => typeof (nb as Record<string, unknown>)[k] === "function"));
});

test("the Threefry reference reproduces the Random123 known-answer vectors", () => {
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16).padStart(8, "0")).join(" ");
  assert.equal(hex(threefryRef([0, 0], [0, 0])), "6b200159 99ba4efe");
  assert.equal(hex(threefryRef([0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])), "1cb996fc bb002be7");
  assert.equal(hex(threefryRef([0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3])), "c4923a9c 483df7a0");
});

// ---------------------------------------------------------------------------------------------
// NumPy semantics that a row's generator leaves out, each on its own.

const vals = (t: nb.Tensor): number[] => Array.from(t.dataSync() as ArrayLike<number>);

describe("NumPy semantics outside the generators", () => {
  leakFreeTest(
    "argmax/argmin with axis=None and keepdims keep every axis as size 1 (np.argmax(a, keepdims=True))",
    () => {
      const x = nb.tensor([
        [1, 5, 2],
        [7, 0, 3],
      ]);
      assert.deepEqual(nb.argmax(x, null, true).shape, [1, 1]);
      assert.deepEqual(nb.argmin(x, null, true).shape, [1, 1]);
      assert.deepEqual(vals(nb.argmax(x, null, true)), [3]);
    },
  );

  leakFreeTest("any/all over an empty axis are False/True (np.any(np.zeros(0)) is False)", () => {
    assert.equal(nb.any(nb.zeros([0])).item(), false);
    assert.equal(nb.all(nb.zeros([0])).item(), true);
    assert.deepEqual(vals(nb.all(nb.zeros([2, 0]), 1)), [1, 1]);
  });

  leakFreeTest("bool + bool and bool * bool stay bool (logical or / and), like NumPy", () => {
    const a = nb.tensor([true, true, false, false]);
    const b = nb.tensor([true, false, true, false]);
    const s = nb.add(a, b);
    assert.equal(s.dtype, "bool");
    assert.deepEqual(vals(s), [1, 1, 1, 0]);
    const p = nb.mul(a, b);
    assert.equal(p.dtype, "bool");
    assert.deepEqual(vals(p), [1, 0, 0, 0]);
  });

  leakFreeTest("NaN cast to bool is true (NaN is nonzero), like NumPy", () => {
    assert.deepEqual(vals(nb.tensor([NaN, 0, -0, 2]).astype("bool")), [1, 0, 0, 1]);
  });

  leakFreeTest(
    "variance with N - ddof <= 0 divides by max(N - ddof, 0) like NumPy (nan or inf, never a negative count)",
    () => {
      assert.ok(Number.isNaN(nb.variance(nb.zeros([0]), undefined, { correction: 1 }).item() as number));
      assert.ok(Number.isNaN(nb.variance(nb.tensor([3]), undefined, { correction: 1 }).item() as number));
      // N - ddof < 0: NumPy divides by max(N - ddof, 0) = 0, so a positive sum of squares gives inf
      assert.equal(nb.variance(nb.tensor([3, 5]), undefined, { correction: 3 }).item(), Infinity);
    },
  );

  leakFreeTest("NaN propagates through maximum/minimum, max/min and sorts first in argmax", () => {
    const x = nb.tensor([1, NaN, 3]);
    assert.ok(vals(nb.maximum(x, 2)).map(Number.isNaN).join() === "false,true,false");
    assert.ok(Number.isNaN(nb.max(x).item() as number));
    assert.ok(Number.isNaN(nb.min(x).item() as number));
    assert.equal(nb.argmax(x).item(), 1);
    assert.equal(nb.argmin(x).item(), 1);
  });

  leakFreeTest("relu propagates NaN like np.maximum(x, 0) and torch.relu (leakyRelu, elu, clamp do)", () => {
    const x = nb.tensor([NaN, -1, 2]);
    assert.ok(Number.isNaN(vals(nb.leakyRelu(x))[0] as number));
    assert.ok(Number.isNaN(vals(nb.elu(x))[0] as number));
    assert.ok(Number.isNaN(vals(nb.clamp(x, 0, 1))[0] as number));
    const r = vals(nb.relu(x));
    assert.ok(Number.isNaN(r[0] as number), `relu(NaN) = ${r[0]}`);
    assert.deepEqual(r.slice(1), [0, 2]);
  });

  leakFreeTest("prod gradient with zeros: one zero gets the product of the others, two zeros give 0", () => {
    const g1 = nb.grad((x: nb.Tensor) => x.prod())(nb.tensor([2, 0, 3], { dtype: "float64" }));
    assert.deepEqual(vals(g1), [0, 6, 0]);
    const g2 = nb.grad((x: nb.Tensor) => x.prod())(nb.tensor([0, 5, 0], { dtype: "float64" }));
    assert.deepEqual(vals(g2), [0, 0, 0]);
  });

  leakFreeTest("subgradients: relu/abs at 0 are 0, max ties share the cotangent evenly", () => {
    const z = nb.tensor([0, 0], { dtype: "float64" });
    assert.deepEqual(vals(nb.grad((x: nb.Tensor) => x.relu().sum())(z)), [0, 0]);
    assert.deepEqual(vals(nb.grad((x: nb.Tensor) => x.abs().sum())(z)), [0, 0]);
    const t = nb.tensor([1, 3, 3], { dtype: "float64" });
    assert.deepEqual(vals(nb.grad((x: nb.Tensor) => x.max())(t)), [0, 0.5, 0.5]);
    assert.deepEqual(vals(nb.grad((x: nb.Tensor) => nb.maximum(x, 3).sum())(t)), [0, 0.5, 0.5]);
  });

  leakFreeTest("mod and floor of negative operands, integer pow, true division of ints", () => {
    const m = nb.mod(
      nb.tensor([-7, 7, -7, 7, -6], { dtype: "int32" }),
      nb.tensor([3, -3, -3, 3, 3], { dtype: "int32" }),
    );
    assert.deepEqual(vals(m), [2, -2, -1, 1, 0]);
    assertClose(vals(nb.mod(nb.tensor([-5.5, 5.5]), 2)), [0.5, 1.5]);
    assertClose(vals(nb.mod(nb.tensor([-5.5, 5.5]), -2)), [-1.5, -0.5]);
    const p = nb.pow(nb.tensor([2, 3, -2], { dtype: "int32" }), nb.tensor([10, 0, 3], { dtype: "int32" }));
    assert.equal(p.dtype, "int32");
    assert.deepEqual(vals(p), [1024, 1, -8]);
    const d = nb.div(nb.tensor([7, -7], { dtype: "int32" }), nb.tensor([2, 2], { dtype: "int32" }));
    assert.equal(d.dtype, "float32");
    assert.deepEqual(vals(d), [3.5, -3.5]);
  });

  leakFreeTest("where accepts a numeric condition (nonzero is true) and JS scalars on both sides", () => {
    const w = nb.where(nb.tensor([0, 2, -1], { dtype: "int32" }), nb.tensor(1, { dtype: "int32" }), 0);
    assert.deepEqual(vals(w), [0, 1, 1]);
    assert.equal(w.dtype, "int32");
    assert.deepEqual(vals(nb.where(nb.tensor([0, 2]), 1.5, -1)), [-1, 1.5]);
    assert.equal(nb.where(nb.tensor([true]), 1.5, nb.tensor([1], { dtype: "float64" })).dtype, "float64");
  });

  leakFreeTest("weak scalars: a bool tensor with an integer gives int32, with a float float32", () => {
    assert.equal(nb.add(nb.tensor([true]), 1).dtype, "int32");
    assert.equal(nb.add(nb.tensor([true]), 1.5).dtype, "float32");
    assert.equal(nb.mul(nb.tensor([1], { dtype: "float64" }), 1e-3).dtype, "float64");
    assert.equal(nb.logicalAnd(1, 0).dtype, "bool");
    assert.equal(nb.logicalAnd(1, 0).item(), false);
  });

  leakFreeTest("reductions of 0-d tensors, empty axis lists and size-0 tensors", () => {
    const s = nb.tensor(4);
    assert.equal(nb.sum(s).item(), 4);
    assert.deepEqual(nb.sum(nb.ones([2, 3]), []).shape, [2, 3]);
    assert.deepEqual(vals(nb.sum(nb.zeros([0, 3]), 0)), [0, 0, 0]);
    assert.deepEqual(vals(nb.prod(nb.zeros([2, 0]), 1)), [1, 1]);
    assert.ok(Number.isNaN(nb.mean(nb.zeros([0])).item() as number));
  });

  test("elementwise dtype rule over all pairs: bool < int32 < float32 < float64", () => {
    for (const a of DTYPES)
      for (const b of DTYPES) {
        if (a === "bool" && b === "bool") continue;
        nb.tidy(() => {
          const y = nb.sub(nb.zeros([1], { dtype: a }), nb.zeros([1], { dtype: b }));
          assert.equal(y.dtype, promoteD(a, b), `${a} - ${b}`);
          assert.equal(nb.lt(nb.zeros([1], { dtype: a }), nb.zeros([1], { dtype: b })).dtype, "bool");
          assert.equal(
            nb.div(nb.zeros([1], { dtype: a }), nb.ones([1], { dtype: b })).dtype,
            promoteD(a, b, "float32"),
          );
        });
      }
  });
});

// ---------------------------------------------------------------------------------------------
// (6) Errors: the class, and a message that names the op and what was wrong.

const throwsLike = (f: () => unknown, cls: new (...a: never[]) => Error, re: RegExp): void =>
  assert.throws(f, (e: unknown) => {
    assert.ok(
      e instanceof cls,
      `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
    );
    assert.match((e as Error).message, re);
    return true;
  });

describe("errors", () => {
  leakFreeTest("bad broadcast", () => {
    throwsLike(
      () => nb.add(nb.zeros([2, 3]), nb.zeros([4])),
      nb.ShapeError,
      /^add: shapes \[2,3\] and \[4\] cannot be broadcast/,
    );
    throwsLike(
      () => nb.where(nb.tensor([true, false]), nb.zeros([3]), 0),
      nb.ShapeError,
      /^where: shapes \[2\] and \[3\] cannot be broadcast/,
    );
    throwsLike(() => nb.zeros([2, 3]).expand([4, 3]), nb.ShapeError, /^expand: .*\[2,3\].*\[4,3\]/);
  });

  leakFreeTest("matmul shapes and dtypes", () => {
    throwsLike(
      () => nb.matmul(nb.zeros([2, 3]), nb.zeros([4, 5])),
      nb.ShapeError,
      /^matmul: inner dimensions differ: \[2,3\] @ \[4,5\]/,
    );
    throwsLike(
      () => nb.matmul(nb.zeros([2, 3]), nb.zeros([])),
      nb.ShapeError,
      /^matmul: operands must be at least 1-D/,
    );
    throwsLike(
      () => nb.matmul(nb.zeros([2, 2]), nb.tensor([[true], [false]])),
      nb.DTypeError,
      /^matmul: expected numeric dtypes/,
    );
  });

  leakFreeTest("bad axes", () => {
    const x = nb.zeros([2, 3]);
    throwsLike(() => nb.sum(x, 2), nb.ValueError, /^sum: axis 2 is out of range for a tensor of rank 2/);
    throwsLike(() => nb.mean(x, -3), nb.ValueError, /^mean: axis -3 is out of range for a tensor of rank 2/);
    throwsLike(() => nb.sum(x, [0, -2]), nb.ValueError, /^sum: repeated axis in \[0,-2\]/);
    throwsLike(() => nb.argmax(x, 5), nb.ValueError, /^argmax: axis 5 is out of range/);
    throwsLike(() => nb.cumsum(x, 2), nb.ValueError, /^cumsum: axis 2 is out of range/);
    throwsLike(
      () => nb.permute(x, [0, 0]),
      nb.ValueError,
      /^permute: \[0,0\] is not a permutation of the axes of \[2,3\]/,
    );
    throwsLike(() => nb.max(nb.zeros([0, 2]), 0), nb.ValueError, /^max: cannot reduce an empty axis of \[0,2\]/);
    throwsLike(() => nb.argmax(nb.zeros([0])), nb.ValueError, /^argmax: cannot take argmax of an empty tensor \[0\]/);
  });

  leakFreeTest("reshape size mismatch and bad shapes", () => {
    const x = nb.zeros([2, 3]);
    throwsLike(() => x.reshape([4]), nb.ShapeError, /^reshape: cannot reshape \[2,3\] \(size 6\) to \[4\]/);
    throwsLike(() => x.reshape([-1, -1]), nb.ShapeError, /^reshape: invalid target shape \[-1,-1\]/);
    throwsLike(() => x.reshape([4, -1]), nb.ShapeError, /^reshape: cannot reshape \[2,3\] \(size 6\) to \[4,-1\]/);
    throwsLike(() => nb.zeros([2, -1]), nb.ShapeError, /^full: invalid shape \[2,-1\]/);
    throwsLike(
      () => nb.tensor([1, 2, 3], { shape: [2, 2] }),
      nb.ShapeError,
      /^tensor: 3 values cannot fill shape \[2,2\]/,
    );
    throwsLike(() => nb.tensor([[1, 2], [3]]), nb.ShapeError, /^tensor: ragged nested array/);
  });

  leakFreeTest("dtype errors", () => {
    throwsLike(() => nb.tensor([1], { dtype: "nope" as nb.DType }), nb.DTypeError, /^tensor: unknown dtype nope/);
    throwsLike(() => nb.rand([2], { dtype: "int32" }), nb.DTypeError, /^random: expected a float dtype, got int32/);
    throwsLike(
      () => nb.sub(nb.tensor([true]), nb.tensor([false])),
      nb.DTypeError,
      /^sub: expected a numeric dtype, got bool/,
    );
    throwsLike(() => nb.take(nb.zeros([3]), nb.tensor([0.5])), nb.DTypeError, /take/);
    throwsLike(
      () => nb.grad((x: nb.Tensor) => x.sum())(nb.tensor([1], { dtype: "int32" })),
      nb.DTypeError,
      /^grad: can only differentiate with respect to float tensors, got int32/,
    );
    // logical ops accept any dtype and JS numbers
    assert.equal(nb.logicalAnd(nb.tensor([2], { dtype: "int32" }), 0.5).dtype, "bool");
  });

  leakFreeTest("a disposed tensor can't be used", () => {
    const y = nb.ones([2]);
    y.dispose();
    y.dispose(); // twice is fine
    throwsLike(() => y.add(1), nb.DisposedError, /^tensor: this tensor of shape \[2\] was disposed/);
    throwsLike(() => y.dataSync(), nb.DisposedError, /^tensor: this tensor of shape \[2\] was disposed/);
    assert.equal(y.isDisposed, true);
    assert.deepEqual(y.shape, [2]);
  });

  leakFreeTest("elementwise results of a bad broadcast are caught for every pair of ranks", () => {
    for (const [a, b] of [
      [[3], [4]],
      [
        [2, 1],
        [3, 4],
      ],
      [
        [5, 2, 3],
        [2, 2],
      ],
    ] as const)
      throwsLike(
        () => nb.mul(nb.zeros([...a]), nb.zeros([...b])),
        nb.ShapeError,
        /^mul: shapes .* cannot be broadcast \(axis -?\d+: \d+ vs \d+\)/,
      );
  });
});
