// routines.matmul of the wasm backend against naive float64 loops: odd sizes, k not a multiple of
// 4, tiles and cache blocks crossed, batches, k = 0, every dtype; and through the tensor API.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { DeviceBuffer } from "../src/backends/backend.js";
import { createWasmBackend } from "../src/backends/wasm/index.js";
import { gemmModule } from "../src/backends/wasm/gemm.js";
import { viewBytes } from "../src/core/dtype.js";
import * as nb from "../src/index.js";
import { assertClose, rng } from "./util.js";

const be = createWasmBackend();
const plain = createWasmBackend({ simd: false });
const matmul = be.routines.matmul;
const ARR = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as const;
type D = keyof typeof ARR;

function upload(b: typeof be, data: Float32Array | Float64Array | Int32Array): DeviceBuffer {
  const buf = b.alloc(data.byteLength);
  b.write(buf, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return buf;
}

/** Runs the routine on random data and checks every element against a naive loop. */
function check(d: D, batch: number, m: number, k: number, n: number, backend = be): void {
  const r = rng(m * 1000 + k * 10 + n);
  const gen = (len: number) =>
    ARR[d].from(Array.from({ length: len }, () => (d === "int32" ? Math.floor((r() - 0.5) * 2 ** 20) : r() - 0.5)));
  const [A, B] = [gen(batch * m * k), gen(batch * k * n)];
  const [a, b] = [upload(backend, A), upload(backend, B)];
  const es = A.BYTES_PER_ELEMENT;
  const c = backend.alloc(Math.max(1, batch * m * n * es));
  // garbage in the output must not leak into the result (k = 0 included)
  if (batch * m * n) backend.write(c, new Uint8Array(batch * m * n * es).fill(0x7f));
  backend.routines.matmul?.(
    c,
    [a, b],
    [
      [batch, m, k],
      [batch, k, n],
    ],
    d,
  );
  const C = viewBytes(d, backend.read(c, batch * m * n * es).buffer);
  for (let z = 0; z < batch; z++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        let mag = 0;
        for (let p = 0; p < k; p++) {
          const x = A[z * m * k + i * k + p] as number;
          const y = B[z * k * n + p * n + j] as number;
          s = d === "int32" ? (s + Math.imul(x, y)) | 0 : s + x * y;
          mag += Math.abs(x * y);
        }
        const got = C[z * m * n + i * n + j] as number;
        const what = `${d} [${batch}] ${m}x${k}x${n} at (${z}, ${i}, ${j}): got ${got}, expected ${s}`;
        // float32: blocked sums in float32 lanes; float64 and int32 follow the naive order exactly
        if (d === "float32") assert.ok(Math.abs(got - s) <= 1e-6 * mag, what);
        else assert.equal(got, s, what);
      }
  for (const x of [a, b, c]) backend.free(x);
}

const SHAPES: [number, number, number, number][] = [
  [1, 1, 1, 1],
  [1, 7, 13, 5],
  [1, 3, 3, 9],
  [1, 4, 8, 8],
  [1, 9, 130, 17],
  [3, 17, 33, 9],
  [1, 130, 300, 65],
  [1, 5, 0, 4],
  [2, 0, 3, 4],
  [1, 1, 600, 4100],
];

test("float32 GEMM (packed panels, 4×8 f32x4 microkernel) matches naive float64 loops", () => {
  assert.ok(matmul);
  for (const [b, m, k, n] of SHAPES) check("float32", b, m, k, n);
});

test("float64 and int32 (simple path, naive summation order) match exactly; int32 wraps", () => {
  for (const d of ["float64", "int32"] as const) for (const [b, m, k, n] of SHAPES.slice(0, 9)) check(d, b, m, k, n);
});

test("without SIMD every dtype takes the scalar path and still matches", () => {
  for (const d of ["float32", "float64", "int32"] as const)
    for (const [b, m, k, n] of SHAPES.slice(0, 7)) check(d, b, m, k, n, plain);
});

test("the GEMM module validates with and without relaxed SIMD fused multiply-add", () => {
  assert.ok(WebAssembly.validate(gemmModule()));
  // relaxed SIMD may not be enabled in this engine; the module must at least be well-formed bytes
  const bytes = gemmModule(undefined, true);
  assert.ok(bytes.length > 100);
});

test("matmul through the tensor API (batched, transposed operands, gradients) agrees with the js backend", () => {
  nb.registerBackend("wasm", createWasmBackend, 1);
  const r = rng(99);
  const data = (n: number) => Array.from({ length: n }, () => r() - 0.5);
  const [da, db] = [data(2 * 5 * 7), data(2 * 6 * 7)];
  const run = (): number[][] => {
    const a = nb.tensor(da, { shape: [2, 5, 7] });
    const b = nb.tensor(db, { shape: [2, 6, 7] });
    const f = (x: nb.Tensor, y: nb.Tensor) =>
      x
        .matmul(y.permute(0, 2, 1))
        .tanh()
        .sum();
    const [ga, gb] = nb.grad(f, { argnums: [0, 1] })(a, b) as [nb.Tensor, nb.Tensor];
    return [Array.from(a.matmul(b.permute(0, 2, 1)).dataSync()), Array.from(ga.dataSync()), Array.from(gb.dataSync())];
  };
  nb.setBackend("js");
  const want = run();
  nb.setBackend("wasm");
  const got = run();
  want.forEach((w, i) => assertClose(got[i] as number[], w, { rtol: 1e-5, atol: 1e-6 }, `output ${i}`));
});
