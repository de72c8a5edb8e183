// Accuracy of the wasm math library (float64 helpers generated into kernel modules), measured
// over dense samples of each domain against Math.* (V8's fdlibm port) and, for erf, against a
// 256-bit fixed-point reference. The bounds asserted here are the ones documented in mathlib.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ModuleBuilder } from "../src/backends/wasm/emit.js";
import { Helpers, type HelperName } from "../src/backends/wasm/mathlib.js";
import { createWasmBackend } from "../src/backends/wasm/index.js";
import { exprKey, type Kernel } from "../src/kernel/ir.js";
import type { Expr } from "../src/core/alu.js";
import { rng } from "./util.js";

type F = (...a: number[]) => number;

function helpers(names: readonly HelperName[]): Record<string, F> {
  const m = new ModuleBuilder();
  m.importMemory("env", "mem", 0);
  const h = new Helpers(m);
  for (const n of names) m.export(n, h.get(n));
  const mem = new WebAssembly.Memory({ initial: 1 });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(m.bytes()), {
    env: { mem, sin: Math.sin, cos: Math.cos },
  });
  return inst.exports as unknown as Record<string, F>;
}

const H = helpers([
  "exp",
  "expm1",
  "log",
  "log1p",
  "sin",
  "cos",
  "tanh",
  "erf",
  "pow",
  "fmod",
  "toi32",
  "idiv",
  "imod",
]);

/** Distance in units of the last place of `e` (float64). */
function ulps(a: number, e: number): number {
  if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e))) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(e)) return Infinity;
  const m = Math.max(Math.abs(e), 2 ** -1022);
  return Math.abs(a - e) / 2 ** (Math.floor(Math.log2(m)) - 52);
}

const dense = (lo: number, hi: number, n: number, r: () => number): number[] =>
  Array.from({ length: n }, (_, i) => lo + ((hi - lo) * (i + r())) / n);

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 2, 1e-300, -1e-300, 5e-324, 1e300, -1e300];

function maxUlp(f: F, ref: F, xs: readonly number[]): { ulp: number; at: number } {
  let worst = { ulp: 0, at: NaN };
  for (const x of xs) {
    const u = ulps(f(x), ref(x));
    if (u > worst.ulp) worst = { ulp: u, at: x };
  }
  return worst;
}

test("float64 helpers stay within their documented ulp bounds of Math.* over dense samples", (t) => {
  const r = rng(5);
  const cases: [string, F, number[], number][] = [
    ["exp", Math.exp, [...dense(-745, 709.7, 100000, r), ...dense(-1, 1, 50000, r)], 1],
    [
      "expm1",
      Math.expm1,
      [...dense(-40, 709, 100000, r), ...dense(-1, 1, 50000, r), ...dense(-1e-6, 1e-6, 5000, r)],
      2,
    ],
    [
      "log",
      Math.log,
      [
        ...dense(0, 4, 100000, r),
        ...dense(0.5, 2, 50000, r),
        ...dense(0, 1e300, 5000, r),
        ...dense(0, 1e-300, 5000, r),
      ],
      1,
    ],
    ["log1p", Math.log1p, [...dense(-1, 1, 100000, r), ...dense(-1e-8, 1e-8, 5000, r), ...dense(0, 1e10, 5000, r)], 2],
    ["sin", Math.sin, [...dense(-10, 10, 100000, r), ...dense(-1e5, 1e5, 50000, r), ...dense(-1e9, 1e9, 2000, r)], 1],
    ["cos", Math.cos, [...dense(-10, 10, 100000, r), ...dense(-1e5, 1e5, 50000, r), ...dense(-1e9, 1e9, 2000, r)], 1],
    ["tanh", Math.tanh, [...dense(-25, 25, 100000, r), ...dense(-1e-3, 1e-3, 5000, r)], 3],
  ];
  for (const [name, ref, xs, bound] of cases) {
    const w = maxUlp(H[name] as F, ref, [...SPECIAL, ...xs]);
    t.diagnostic(`${name}: max ${w.ulp} ulp (at ${w.at}) over ${xs.length} points`);
    assert.ok(w.ulp <= bound, `${name}: ${w.ulp} ulp at ${w.at} (bound ${bound})`);
  }
});

test("pow matches Math.pow: every special case exactly, ≤ 4 ulp elsewhere", (t) => {
  const r = rng(9);
  const sp = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2, -2, 0.5, -0.5, 3, -3, 1e300, 1e-300, 2.5, -2.5];
  for (const a of sp) for (const b of sp) assert.ok(ulps((H.pow as F)(a, b), Math.pow(a, b)) <= 4, `pow(${a}, ${b})`);
  let worst = 0;
  for (let i = 0; i < 100000; i++) {
    const x = i % 2 ? r() * 10 : Math.exp((r() - 0.5) * 40);
    const y = (r() - 0.5) * (i % 3 ? 100 : 20);
    const e = Math.pow(x, y);
    if (e === 0 || !Number.isFinite(e)) continue;
    worst = Math.max(worst, ulps((H.pow as F)(x, y), e));
  }
  t.diagnostic(`pow: max ${worst} ulp`);
  assert.ok(worst <= 4, `pow: ${worst} ulp`);
});

// ---- erf against a 256-bit fixed-point Maclaurin series (exact rationals, no cancellation) ----
const SC = 256n;
const PI_FIX = (3n << SC) | BigInt("0x243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89");
function isqrt(n: bigint): bigint {
  let x = BigInt(Math.floor(Math.sqrt(Number(n >> 512n)))) << 256n;
  for (let i = 0; i < 20; i++) x = (x + n / x) >> 1n;
  return x;
}
const SQRT_PI = isqrt(PI_FIX << SC);
const erfMemo = new Map<number, number>();
function erfRef(x: number): number {
  // below 1e-30 the series is 2x/√π to far better than double precision
  if (Math.abs(x) < 1e-30) return (2 / Math.sqrt(Math.PI)) * x;
  const have = erfMemo.get(x);
  if (have !== undefined) return have;
  const v = erfSeries(x);
  erfMemo.set(x, v);
  return v;
}
function erfSeries(x: number): number {
  const neg = x < 0;
  const [m, e] = (() => {
    let e = 0;
    let v = Math.abs(x);
    while (!Number.isInteger(v)) {
      v *= 2;
      e--;
    }
    return [BigInt(v), e];
  })();
  const X = e + 256 >= 0 ? m << BigInt(e + 256) : m >> BigInt(-(e + 256));
  const x2 = (X * X) >> SC;
  let term = X;
  let sum = X;
  for (let n = 1n; term !== 0n; n++) {
    term = -(term * x2) / (n << SC);
    sum += term / (2n * n + 1n);
  }
  const v = Number(((sum << (SC + 1n)) / SQRT_PI) >> 64n) * 2 ** -192;
  return neg ? -v : v;
}

test("erf is within 1.5e-15 relative of a 256-bit reference on [-6, 6] (and ±1 beyond)", (t) => {
  const r = rng(13);
  const xs = [...dense(-6.5, 6.5, 1500, r), ...dense(-0.01, 0.01, 100, r), 1e-300, -1e-20, 2.5, 2.4999999, 5.9];
  let worst = 0;
  for (const x of xs) {
    const e = Math.abs(x) >= 6 ? Math.sign(x) : erfRef(x);
    worst = Math.max(worst, Math.abs((H.erf as F)(x) - e) / Math.abs(e));
  }
  t.diagnostic(`erf: max relative error ${worst.toExponential(2)}`);
  assert.ok(worst <= 1.5e-15, `erf relative error ${worst}`);
  assert.ok(Number.isNaN((H.erf as F)(NaN)) && (H.erf as F)(Infinity) === 1 && (H.erf as F)(-Infinity) === -1);
});

test("fmod is exact (JavaScript %), toi32 is ToInt32, integer floor division/modulo follow NumPy", () => {
  const r = rng(17);
  for (let i = 0; i < 20000; i++) {
    const a = (r() - 0.5) * 10 ** (r() * 40 - 20);
    const b = (r() - 0.5) * 10 ** (r() * 40 - 20);
    assert.ok(Object.is((H.fmod as F)(a, b), a % b), `fmod(${a}, ${b})`);
  }
  assert.ok(Object.is((H.fmod as F)(1e308, 1e-308), 1e308 % 1e-308));
  for (const v of [
    0,
    1.5,
    -1.5,
    2147483647.9,
    2147483648,
    -2147483649,
    3e9,
    -3e9,
    1e20,
    2 ** 84 + 2 ** 33,
    NaN,
    Infinity,
  ])
    assert.equal((H.toi32 as F)(v), Math.trunc(v) | 0, `toi32(${v})`);
  const I = [0, 1, -1, 2, -2, 7, -7, 3, -3, 2147483647, -2147483648];
  for (const a of I)
    for (const b of I) {
      assert.equal((H.idiv as F)(a, b), b === 0 ? 0 : Math.floor(a / b) | 0, `idiv(${a}, ${b})`);
      const m = a % b;
      assert.equal((H.imod as F)(a, b), (m !== 0 && m < 0 !== b < 0 ? m + b : m) | 0, `imod(${a}, ${b})`);
    }
});

const F32_SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 1e-40, -1e-40, 1e-45, 88.7, 89, -103, -104, -110];
F32_SPECIAL.push(100, 1e-7, -1e-7, 0.3465, 0.3466, -0.3466, 44.3, 44.4, -41.6, -50, 3.4e38, -0.999999, 9, -9);
/** SIMD float32 bounds (mathlib-simd.ts); the others go lane by lane through the float64 helpers. */
const SIMD_ULP: Record<string, number> = { exp: 1, log: 1, expm1: 2, log1p: 2, tanh: 2 };

test("float32 kernels: ≤ 1 ulp (float32) of Math.* through the float64 helpers, SIMD functions within their bounds", (t) => {
  const r = rng(21);
  const xs = Float32Array.from([...F32_SPECIAL, ...dense(-20, 20, 40000, r), ...dense(-1e-3, 1e-3, 4000, r)]);
  const pos = Float32Array.from([...F32_SPECIAL, ...dense(0, 50, 40000, r), ...dense(-1, -0.9, 4000, r)]);
  const few = Float32Array.from(dense(-6, 6, 517, r));
  for (const simd of [true, false]) {
    const be = createWasmBackend({ simd });
    for (const [op, ref, data] of [
      ["exp", Math.exp, Float32Array.from([...xs, ...dense(-110, 95, 40000, r)])],
      ["log", Math.log, pos],
      ["tanh", Math.tanh, xs],
      ["sin", Math.sin, xs],
      ["erf", null, few],
      ["expm1", Math.expm1, Float32Array.from([...xs, ...dense(-60, 95, 40000, r)])],
      ["log1p", Math.log1p, pos],
      ["cos", Math.cos, xs],
    ] as const) {
      const body: Expr = {
        k: "alu",
        op,
        args: [{ k: "load", buf: 0, idx: { k: "var", i: 0 }, dtype: "float32" }],
        dtype: "float32",
      };
      const k: Kernel = {
        name: op,
        outShape: [data.length],
        outDtype: "float32",
        inputs: ["float32"],
        body,
        key: exprKey(body) + data.length,
      };
      const [a, o] = [be.alloc(data.byteLength), be.alloc(data.byteLength)];
      be.write(a, new Uint8Array(data.buffer));
      be.run(be.compile(k), o, [a]);
      const got = new Float32Array(be.read(o, data.byteLength).buffer);
      be.free(a);
      be.free(o);
      let worst = { ulp: 0, at: NaN };
      data.forEach((x, i) => {
        const e = Math.fround(ref ? ref(x) : erfRef(x));
        const g = got[i] as number;
        const m = Math.max(Math.abs(e), 2 ** -126);
        const u =
          Object.is(g, e) || (Number.isNaN(g) && Number.isNaN(e))
            ? 0
            : !Number.isFinite(e) || e === 0
              ? Infinity
              : Math.abs(g - e) / 2 ** (Math.floor(Math.log2(m)) - 23);
        if (u > worst.ulp) worst = { ulp: u, at: x };
      });
      const bound = simd ? (SIMD_ULP[op] ?? 1) : 1;
      t.diagnostic(`float32 ${op} (${simd ? "simd" : "scalar"}): max ${worst.ulp} ulp (at ${worst.at})`);
      assert.ok(worst.ulp <= bound, `float32 ${op} (${simd ? "simd" : "scalar"}): ${worst.ulp} ulp at ${worst.at}`);
    }
  }
});
