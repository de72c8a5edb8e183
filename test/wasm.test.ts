// The wasm backend against the js backend and independent float64 references: every ALU op for
// every dtype (scalar and SIMD paths) on edge values, casts, where, reductions over various axes,
// strided/permuted/padded/flipped views, gather with out-of-range indices, and the render text.
import assert from "node:assert/strict";
import { test } from "node:test";
import { BINARY_ALU, UNARY_ALU, type AluOp, type Expr } from "../src/core/alu.js";
import { DTYPES, viewBytes, type DType, type TypedArray } from "../src/core/dtype.js";
import { exprKey, type Kernel } from "../src/kernel/ir.js";
import type { Backend } from "../src/backends/backend.js";
import { createJsBackend } from "../src/backends/js/runtime.js";
import { createWasmBackend } from "../src/backends/wasm/index.js";
import * as nb from "../src/index.js";
import { rng } from "./util.js";

const js = createJsBackend();
const simd = createWasmBackend();
const scalar = createWasmBackend({ simd: false });
nb.registerBackend("wasm", createWasmBackend, 1);

const ARRAY = { bool: Uint8Array, int32: Int32Array, float32: Float32Array, float64: Float64Array } as const;

function makeKernel(
  body: Expr,
  outShape: number[],
  outDtype: DType,
  inputs: DType[],
  reduce?: Kernel["reduce"],
): Kernel {
  const r = reduce ? `${reduce.op}:${reduce.axes.join(",")}:${reduce.sizes.join(",")}|` : "";
  const key = `${outShape.join("x")}|${outDtype}|${inputs.join(",")}|${r}${exprKey(body)}`;
  return { name: "k_test", outShape, outDtype, inputs, body, key, ...(reduce ? { reduce } : {}) };
}

function runOn(be: Backend, k: Kernel, data: readonly TypedArray[]): TypedArray {
  const bufs = data.map((d) => {
    const b = be.alloc(Math.max(1, d.byteLength));
    be.write(b, new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    return b;
  });
  const n = k.outShape.reduce((a, b) => a * b, 1);
  const bytes = n * new ARRAY[k.outDtype]().BYTES_PER_ELEMENT;
  const out = be.alloc(Math.max(1, bytes));
  be.run(be.compile(k), out, bufs);
  const res = viewBytes(k.outDtype, be.read(out, bytes).buffer);
  for (const b of [...bufs, out]) be.free(b);
  return res;
}

const load = (buf: number, dtype: DType, idx: Expr = { k: "var", i: 0 }): Expr => ({ k: "load", buf, idx, dtype });
const aluE = (op: AluOp, args: Expr[], dtype: DType): Expr => ({ k: "alu", op, args, dtype });

const EDGE: Record<DType, number[]> = {
  float32: [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 1.5, -2.5, 2.5, 3, -7, 1e-40, -1e-45, 3.4e38, -3.4e38],
  float64: [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -1.5, 2.5, -2.5, 3, -7, 5e-324, 1e-310, 1e300, -1e300, 4e9],
  int32: [0, 1, -1, 2, -2, 3, -3, 7, -7, 2147483647, -2147483648, 65536, 46341, -46341],
  bool: [0, 1],
};
EDGE.float32.push(1e10, 2147483648, -2147483649, 0.1, 100);

function values(d: DType, n: number, r: () => number): number[] {
  const extra = Array.from({ length: n }, () =>
    d === "bool" ? (r() < 0.5 ? 1 : 0) : d === "int32" ? Math.floor((r() - 0.5) * 2 ** (r() * 32)) : (r() - 0.5) * 20,
  );
  return [...EDGE[d], ...extra];
}

// ---- independent float64 references (NumPy/JavaScript semantics), rounded to the result dtype ----
const fmodNp = (a: number, b: number): number => {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
};
const roundHalfEven = (x: number): number => {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : r;
};
const truthy = (a: number): boolean => a !== 0; // NaN is nonzero, so true (NumPy)
const REF: Partial<Record<AluOp, (a: number, b: number) => number>> = {
  neg: (a) => -a,
  recip: (a) => 1 / a,
  exp: Math.exp,
  log: Math.log,
  expm1: Math.expm1,
  log1p: Math.log1p,
  sin: Math.sin,
  cos: Math.cos,
  sqrt: Math.sqrt,
  tanh: Math.tanh,
  floor: Math.floor,
  round: roundHalfEven,
  abs: Math.abs,
  sign: (a) => (Number.isNaN(a) || a === 0 ? a : a > 0 ? 1 : -1),
  not: (a) => (truthy(a) ? 0 : 1),
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  idiv: (a, b) => (b === 0 ? 0 : Math.floor(a / b)),
  mod: fmodNp,
  pow: Math.pow,
  max: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a > b ? a : b),
  min: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a < b ? a : b),
  cmplt: (a, b) => +(a < b),
  cmpeq: (a, b) => +(a === b),
  and: (a, b) => +(truthy(a) && truthy(b)),
  or: (a, b) => +(truthy(a) || truthy(b)),
};
const toDtype = (v: number, d: DType, op: AluOp): number => {
  if (d === "bool") return truthy(v) ? 1 : 0;
  if (d === "int32") return op === "mul" ? v : Number.isFinite(v) ? Math.trunc(v) | 0 : 0;
  return d === "float32" ? Math.fround(v) : v;
};
const TRANSCENDENTAL = new Set<AluOp>(["exp", "log", "expm1", "log1p", "sin", "cos", "tanh", "erf", "pow"]);

function ulpDiff(a: number, e: number, d: DType): number {
  if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e))) return 0;
  if (!Number.isFinite(e) || !Number.isFinite(a)) return Infinity;
  const m = Math.max(Math.abs(e), d === "float32" ? 2 ** -126 : 2 ** -1022);
  const ulp = 2 ** (Math.floor(Math.log2(m)) - (d === "float32" ? 23 : 52));
  return Math.abs(a - e) / ulp;
}

function agree(
  got: TypedArray,
  want: ArrayLike<number>,
  d: DType,
  maxUlp: number,
  what: string,
  ins: number[][],
): void {
  for (let i = 0; i < want.length; i++) {
    const a = got[i] as number;
    const e = want[i] as number;
    const ok = d === "bool" || d === "int32" ? a === e : ulpDiff(a, e, d) <= maxUlp;
    if (!ok) assert.fail(`${what}[${i}] on (${ins.map((x) => x[i]).join(", ")}): got ${a}, expected ${e}`);
  }
}

const resultDtype = (op: AluOp, d: DType): DType => (["cmplt", "cmpeq", "and", "or", "not"].includes(op) ? "bool" : d);

test("every unary and binary ALU op, for every dtype, matches the js backend and a float64 reference (scalar and SIMD)", () => {
  const r = rng(42);
  for (const d of DTYPES) {
    const a = values(d, 64, r);
    const b = values(d, 64, r);
    // all pairs of edge values, then random pairs
    const A = [...EDGE[d].flatMap((x) => EDGE[d].map(() => x)), ...a];
    const B = [...EDGE[d].flatMap(() => EDGE[d]), ...b.slice(0, a.length)];
    for (const op of [...UNARY_ALU, ...BINARY_ALU] as AluOp[]) {
      // bool kernels only hold logic and comparisons (the op rules reject bool arithmetic)
      // and logic ops only ever see bools
      if (d === "bool" && !["not", "and", "or", "cmplt", "cmpeq", "max", "min", "add", "mul"].includes(op)) continue;
      if (d !== "bool" && ["not", "and", "or"].includes(op)) continue;
      const binary = (BINARY_ALU as readonly string[]).includes(op);
      const out = resultDtype(op, d);
      const args = binary ? [load(0, d), load(1, d)] : [load(0, d)];
      const k = makeKernel(aluE(op, args, out), [A.length], out, binary ? [d, d] : [d]);
      const data = binary ? [ARRAY[d].from(A), ARRAY[d].from(B)] : [ARRAY[d].from(A)];
      const ins = data.map((x) => Array.from(x as ArrayLike<number>));
      const ref = runOn(js, k, data);
      // erf: the js reference loses digits near |x| = 2.5 (series cancellation); see wasm-math.test.ts.
      // float32 SIMD tanh/expm1/log1p are four-lane float32 functions (≤ 2 ulp)
      const tol = op === "erf" ? (d === "float64" ? 500 : 1) : TRANSCENDENTAL.has(op) ? (d === "float64" ? 4 : 2) : 0;
      for (const [name, be] of [
        ["simd", simd],
        ["scalar", scalar],
      ] as const)
        agree(runOn(be, k, data), ref, out, tol, `${op}:${d} (${name}) vs js`, ins);
      const f = REF[op];
      if (f) {
        const want = ins[0]?.map((x, i) => toDtype(f(x, ins[1]?.[i] ?? 0), out, op)) ?? [];
        if (d === "int32" && op === "mul")
          want.forEach((_, i) => (want[i] = Math.imul(ins[0]?.[i] ?? 0, ins[1]?.[i] ?? 0)));
        agree(runOn(simd, k, data), want, out, tol, `${op}:${d} vs reference`, ins);
      }
    }
  }
});

test("casts between every pair of dtypes (int32 wraps modulo 2^32, NaN → 0, nonzero → true)", () => {
  const r = rng(7);
  for (const from of DTYPES) {
    const x = ARRAY[from].from(values(from, 40, r));
    for (const to of DTYPES) {
      const k = makeKernel(aluE("cast", [load(0, from)], to), [x.length], to, [from]);
      const want = Array.from(x as ArrayLike<number>, (v) =>
        to === "bool"
          ? +truthy(v)
          : to === "int32"
            ? Number.isFinite(v)
              ? Math.trunc(v) | 0
              : 0
            : to === "float32"
              ? Math.fround(v)
              : v,
      );
      for (const be of [simd, scalar, js]) agree(runOn(be, k, [x]), want, to, 0, `cast ${from}→${to}`, [Array.from(x)]);
    }
  }
});

test("where selects per element for every dtype, including bool conditions loaded from memory", () => {
  const r = rng(3);
  for (const d of DTYPES) {
    const n = 41;
    const cond = Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
    const [a, b] = [ARRAY[d].from(values(d, n, r).slice(0, n)), ARRAY[d].from(values(d, n, r).slice(-n))];
    const k = makeKernel(aluE("where", [load(0, "bool"), load(1, d), load(2, d)], d), [n], d, ["bool", d, d]);
    const want = Array.from(cond, (c, i) => (c ? a[i] : b[i]) as number);
    for (const be of [simd, scalar]) agree(runOn(be, k, [cond, a, b]), want, d, 0, `where:${d}`, [Array.from(cond)]);
  }
});

test("reductions (sum, prod, max, argmax) over various axes match naive float64 loops", () => {
  const r = rng(11);
  const shape = [5, 6, 7];
  const strides = [42, 7, 1];
  for (const d of ["float32", "float64", "int32"] as const) {
    const x = ARRAY[d].from(
      Array.from({ length: 210 }, () => (d === "int32" ? Math.floor((r() - 0.5) * 20) : (r() - 0.5) * 4)),
    );
    if (d !== "int32") {
      x[17] = NaN;
      x[100] = -0;
    }
    for (const axes of [[0], [1], [2], [0, 2], [1, 2], [0, 1, 2]]) {
      for (const op of ["sum", "prod", "max", "argmax"] as const) {
        if (op === "argmax" && axes.length > 1) continue;
        const outShape = shape.map((s, i) => (axes.includes(i) ? 1 : s));
        const idx = shape.reduce<Expr>(
          (acc, _, i) => {
            const v: Expr = { k: "var", i: axes.includes(i) ? 3 + i : i };
            return aluE(
              "add",
              [acc, aluE("mul", [v, { k: "const", v: strides[i] ?? 0, dtype: "int32" }], "int32")],
              "int32",
            );
          },
          { k: "const", v: 0, dtype: "int32" },
        );
        const out = op === "argmax" ? "int32" : d;
        const red = { op, axes, sizes: axes.map((a) => shape[a] ?? 1) };
        const k = makeKernel(load(0, d, idx), outShape, out, [d], red);
        const want: number[] = [];
        const n = outShape.reduce((a, b) => a * b, 1);
        for (let o = 0; o < n; o++) {
          const base = [
            Math.floor(o / (outShape[1]! * outShape[2]!)),
            Math.floor(o / outShape[2]!) % outShape[1]!,
            o % outShape[2]!,
          ];
          let acc = op === "sum" ? 0 : op === "prod" ? 1 : -Infinity;
          let best = 0;
          let j = 0;
          const sz = axes.map((a) => shape[a]!);
          for (let q = 0; q < sz.reduce((a, b) => a * b, 1); q++, j++) {
            const pos = [...base];
            let rem = q;
            for (let t = axes.length - 1; t >= 0; t--) {
              pos[axes[t]!] = rem % sz[t]!;
              rem = Math.floor(rem / sz[t]!);
            }
            const v = x[pos[0]! * 42 + pos[1]! * 7 + pos[2]!]!;
            if (op === "sum") acc += v;
            else if (op === "prod") acc = d === "int32" ? Math.imul(acc, v) : acc * v;
            else if (op === "max") acc = Number.isNaN(acc) || Number.isNaN(v) ? NaN : Math.max(acc, v);
            else if (!Number.isNaN(acc) && (v > acc || Number.isNaN(v))) [acc, best] = [v, j];
          }
          want.push(op === "argmax" ? best : toDtype(acc, out, "mul"));
        }
        // float32 sums: the SIMD path adds in float32 lanes, the scalar path in float64
        const tol = d === "float32" && (op === "sum" || op === "prod") ? 64 : 0;
        for (const be of [simd, scalar]) agree(runOn(be, k, [x]), want, out, tol, `${op}:${d} axes ${axes}`, [[]]);
      }
    }
  }
});

test("max reduction: NaN anywhere gives NaN; +0 wins over -0 (Math.max), on both paths", () => {
  const cases: number[][] = [
    [-0, 0, -0, -0, -0, -0, -0, -0, -0],
    [-0, -0, -0, -0, -0, -0, -0, -0, -0],
    [1, 2, 3, 4, 5, NaN, 0, 0, 0],
    [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
  ];
  for (const c of cases) {
    const x = Float32Array.from(c);
    const k = makeKernel(load(0, "float32", { k: "var", i: 1 }), [1], "float32", ["float32"], {
      op: "max",
      axes: [0],
      sizes: [c.length],
    });
    const want = [c.reduce((a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)), -Infinity)];
    for (const be of [simd, scalar, js]) agree(runOn(be, k, [x]), want, "float32", 0, `max of ${c}`, [c]);
  }
});

test("empty reductions store the initial value; empty outputs write nothing", () => {
  const x = new Float32Array(0);
  for (const [op, out, v] of [
    ["sum", "float32", 0],
    ["prod", "float32", 1],
    ["max", "float32", -Infinity],
    ["max", "int32", 0],
    ["argmax", "int32", 0],
  ] as const) {
    const k = makeKernel(
      load(0, out === "int32" && op === "max" ? "int32" : "float32", { k: "var", i: 2 }),
      [3, 1],
      out,
      [op === "max" && out === "int32" ? "int32" : "float32"],
      { op, axes: [1], sizes: [0] },
    );
    for (const be of [simd, scalar, js]) assert.deepEqual(Array.from(runOn(be, k, [x])), [v, v, v], `${op}:${out}`);
  }
});

const same = (f: () => nb.Tensor, what: string, tol = 0): void => {
  nb.setBackend("js");
  const want = f().dataSync();
  nb.setBackend("wasm");
  const got = f().dataSync();
  agree(got as TypedArray, want as ArrayLike<number>, tol ? "float32" : "int32", tol, what, [[]]);
};

test("strided, permuted, padded, flipped and reshaped views match the js backend", () => {
  const x = nb.arange(0, 120).reshape([4, 5, 6]);
  const f = x.astype("float32").mul(0.37).sin();
  same(() => x.permute(2, 0, 1).add(1), "permute");
  same(() => x.at("::2, 1:, ::-1").mul(3), "slice + flip");
  same(
    () =>
      nb
        .pad(
          x,
          [
            [1, 2],
            [0, 0],
            [3, 1],
          ],
          7,
        )
        .sub(1),
    "pad",
  );
  same(
    () =>
      nb
        .pad(
          x,
          [
            [1, 1],
            [2, 0],
            [0, 0],
          ],
          0,
        )
        .mul(2),
    "pad of outer axes (guarded SIMD loads)",
  );
  same(
    () =>
      x
        .permute(1, 0, 2)
        .reshape([5, 24])
        .add(x.sum(0).reshape([30]).sum().reshape([1, 1])),
    "reshape of a permuted view",
  );
  same(() => x.at("1:3").reshape([60]).at("::-3"), "flip after reshape");
  same(() => f.permute(2, 1, 0).mul(f.permute(2, 1, 0).exp()), "float kernel over a permuted view", 1);
  same(
    () =>
      nb
        .pad(
          f,
          [
            [0, 0],
            [2, 2],
            [5, 3],
          ],
          0,
        )
        .exp()
        .sum(2),
    "padded reduction",
    2,
  );
  same(() => f.max(1).add(f.at(":, 1:2, :")), "broadcast of a reduction", 1);
});

test("gather reads 0 for out-of-range indices and never reads outside the buffer", () => {
  // a buffer (a fused producer would drop the mask: see the note in the report on schedule.ts)
  const x = nb.tensor(
    Float32Array.from({ length: 24 }, (_, i) => i + 1),
    { shape: [4, 6] },
  );
  const idx = nb.tensor([0, 3, 2, 7, -9, 1, 100000000, 2147483647], { dtype: "int32" });
  same(() => nb.take(x, idx, 0), "take axis 0", 1);
  same(() => nb.take(x, idx, 1).mul(2), "take axis 1", 1);
  nb.setBackend("wasm");
  const got = Array.from(nb.take(x, idx, 0).sum(1).dataSync());
  const row = (i: number): number => (i >= 0 && i < 4 ? 6 * i * 6 + 21 : 0);
  assert.deepEqual(
    got,
    [0, 3, 2, 7, -9, 1, 100000000, 2147483647].map((i) => (i === -9 ? row(-9 + 4) : row(i))),
  );
});

test("render() shows the loop plan and instruction text; compile caches by kernel key", () => {
  const k = makeKernel(aluE("exp", [load(0, "float32")], "float32"), [64], "float32", ["float32"]);
  const text = simd.render?.(k) ?? "";
  assert.match(text, /simd: elementwise/);
  assert.match(text, /v128\.load/);
  assert.equal(simd.compile(k), simd.compile({ ...k }));
});
