// GFLOPS of the wasm backend's float32 matmul routine (single thread), a quick speed check, not a
// test:  node --import tsx bench/wasm-matmul.ts [sizes…]   (add --experimental-wasm-relaxed-simd
// before --import to let the microkernel use fused multiply-add). Prints the best of several runs
// by wall clock and by process CPU time (steadier on a shared machine).
import { createWasmBackend, relaxedSimdAvailable } from "../src/backends/wasm/index.js";

const sizes = process.argv.slice(2).map(Number);
const be = createWasmBackend();
const matmul = be.routines.matmul;
if (!matmul) throw new Error("no matmul routine");
console.log(`relaxed SIMD (fused multiply-add): ${relaxedSimdAvailable() ? "yes" : "no"}`);
for (const n of sizes.length ? sizes : [256, 512, 1024]) {
  const bytes = n * n * 4;
  const [a, b, c] = [be.alloc(bytes), be.alloc(bytes), be.alloc(bytes)];
  const data = new Float32Array(n * n).map(() => Math.random() - 0.5);
  be.write(a, new Uint8Array(data.buffer));
  be.write(b, new Uint8Array(data.buffer));
  const run = (): void =>
    matmul(
      c,
      [a, b],
      [
        [n, n],
        [n, n],
      ],
      "float32",
    );
  run();
  const reps = Math.max(1, Math.round(1e9 / (2 * n * n * n)));
  let [wall, cpu] = [Infinity, Infinity];
  for (let t = 0; t < 8; t++) {
    const [t0, c0] = [performance.now(), process.cpuUsage()];
    for (let r = 0; r < reps; r++) run();
    const u = process.cpuUsage(c0);
    wall = Math.min(wall, (performance.now() - t0) / reps);
    cpu = Math.min(cpu, (u.user + u.system) / 1000 / reps);
  }
  const gf = (ms: number): string => ((2 * n ** 3) / ms / 1e6).toFixed(1);
  console.log(`matmul ${n}³ float32: ${wall.toFixed(2)} ms, ${gf(wall)} GFLOPS (wall); ${gf(cpu)} GFLOPS (cpu time)`);
  for (const x of [a, b, c]) be.free(x);
}
