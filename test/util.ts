// Shared test helpers: closeness with readable failures, finite-difference gradient checks in
// float64 along one random direction, and leak-checked test bodies.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as nb from "../src/index.js";

export interface Tol {
  rtol?: number;
  atol?: number;
}

/** Asserts |a - e| <= atol + rtol·|e| elementwise (NaN matches NaN, infinities must be equal). */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tol = {},
  what = "value",
): void {
  const { rtol = 1e-5, atol = 1e-6 } = tol;
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = Number(expected[i]);
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!Number.isFinite(e) && a === e) continue;
    const ok = Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) assert.fail(`${what}[${i}]: got ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
  }
}

/** Deterministic pseudo-random numbers for test data (independent of nabla's generator). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

export function randomArray(n: number, r: () => number, lo = -1, hi = 1): Float64Array {
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * r());
}

const f64 = (data: ArrayLike<number>, shape: readonly number[]): nb.Tensor =>
  nb.tensor(Float64Array.from(data), { shape, dtype: "float64" });

export interface GradCase {
  /** Input values and shapes (float64 is used throughout). */
  inputs: { data: ArrayLike<number>; shape: readonly number[] }[];
  eps?: number;
  tol?: Tol;
  seed?: number;
  /** Which inputs to check (default: all). */
  wrt?: readonly number[];
}

/**
 * Checks nb's reverse-mode gradient of f against central finite differences of f itself, along
 * one random direction per input: ⟨∇ₓ Σ(f·r), v⟩ ≈ (F(x+εv) − F(x−εv)) / 2ε.
 */
export function gradCheck(f: (...xs: nb.Tensor[]) => nb.Tensor, c: GradCase): void {
  nb.tidy(() => {
    const r = rng(c.seed ?? 7);
    const eps = c.eps ?? 1e-6;
    const xs = c.inputs.map((i) => f64(i.data, i.shape));
    const out0 = f(...xs);
    const weights = f64(randomArray(out0.size, r), out0.shape);
    const F = (...a: nb.Tensor[]): nb.Tensor =>
      f(...a)
        .astype("float64")
        .mul(weights)
        .sum();
    const wrt = c.wrt ?? c.inputs.map((_, i) => i);
    const grads = nb.grad(F, { argnums: [...wrt] })(...xs) as nb.Tensor[];
    wrt.forEach((k, j) => {
      const x = xs[k] as nb.Tensor;
      const v = randomArray(x.size, r);
      const g = (grads[j] as nb.Tensor).dataSync();
      let analytic = 0;
      for (let i = 0; i < v.length; i++) analytic += (g[i] as number) * (v[i] as number);
      const shifted = (s: number): number => {
        const xd = x.dataSync();
        const moved = f64(
          Array.from(xd, (val, i) => val + s * eps * (v[i] as number)),
          x.shape,
        );
        const args = xs.map((y, i) => (i === k ? moved : y));
        return F(...args).item() as number;
      };
      const numeric = (shifted(1) - shifted(-1)) / (2 * eps);
      assertClose([analytic], [numeric], c.tol ?? { rtol: 1e-4, atol: 1e-6 }, `gradient of input ${k}`);
    });
  });
}

/** Checks second derivatives: the Hessian-vector product from grad∘grad against differences of grad. */
export function hessianCheck(
  f: (x: nb.Tensor) => nb.Tensor,
  data: ArrayLike<number>,
  shape: readonly number[],
  tol: Tol = { rtol: 1e-4, atol: 1e-6 },
): void {
  nb.tidy(() => {
    const r = rng(11);
    const eps = 1e-5;
    const x = f64(data, shape);
    const F = (y: nb.Tensor): nb.Tensor => f(y).sum();
    const v = f64(randomArray(x.size, r), shape);
    const hvp = nb
      .grad((y: nb.Tensor) => nb.grad(F)(y).mul(v).sum())(x)
      .dataSync();
    const gAt = (s: number) =>
      nb
        .grad(F)(x.add(v.mul(s * eps)))
        .dataSync();
    const gp = gAt(1);
    const gm = gAt(-1);
    const numeric = Array.from(gp, (p, i) => (p - (gm[i] as number)) / (2 * eps));
    assertClose(hvp, numeric, tol, "Hessian-vector product");
  });
}

/** A test whose body must not leave live buffers behind (checked with memory()). */
export function leakFreeTest(name: string, body: () => void | Promise<void>): void {
  test(name, async () => {
    const before = nb.memory().buffers;
    await nb.tidy(async () => {
      await body();
    });
    const after = nb.memory().buffers;
    assert.equal(after, before, `${name}: ${after - before} buffer(s) leaked`);
  });
}

/** Runs `fn` once per available backend, restoring the previous one. */
export function forEachBackend(fn: (backend: string) => void): void {
  const prev = nb.getBackend();
  for (const b of nb.backends()) {
    nb.setBackend(b);
    try {
      fn(b);
    } finally {
      nb.setBackend(prev);
    }
  }
}
