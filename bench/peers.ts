// nabla next to its peers in one run, with ratios: matmul, the elementwise chain, a big sum,
// softmax, and the dispatch cost of a tiny op. Run: npm run bench (results in bench/results/).
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import * as nb from "../src/index.js";
import { machine, timeIt } from "./machine.js";

type Row = { workload: string; unit: string; nabla: number; peers: Record<string, number> };
const rows: Row[] = [];
const require = createRequire(import.meta.url);
setWasmPaths(`${dirname(require.resolve("@tensorflow/tfjs-backend-wasm"))}/`);

/** Runs `f` for each tfjs backend and returns its median milliseconds. */
async function tfTime(backend: string, f: () => tf.Tensor, runs: number): Promise<number> {
  await tf.setBackend(backend);
  await tf.ready();
  return timeIt(() => tf.tidy(f).dataSync(), runs, 1);
}

async function workload(
  name: string,
  unit: string,
  work: number,
  runs: number,
  nbf: () => nb.Tensor,
  tff: () => tf.Tensor,
): Promise<void> {
  const f = nb.jit(nbf);
  const nbMs = timeIt(
    () => {
      const out = f();
      out.dataSync();
      out.dispose();
    },
    runs,
    1,
  );
  const peers: Record<string, number> = {};
  for (const b of ["wasm", "cpu"]) peers[`tfjs-${b}`] = work / (await tfTime(b, tff, runs)) / 1e6;
  rows.push({ workload: name, unit, nabla: work / nbMs / 1e6, peers });
}

await tf.setBackend("cpu");
await tf.ready();
const N = 1024;
const a = nb.randn([N, N]).realize();
const b = nb.randn([N, N]).realize();
const ta = tf.randomNormal([N, N]);
const tb = tf.randomNormal([N, N]);
await workload(
  `matmul ${N}`,
  "GFLOPS",
  2 * N ** 3,
  5,
  () => a.matmul(b),
  () => tf.matMul(ta, tb),
);

const M = 4 * 2 ** 20;
const x = nb.randn([M]).realize();
const tx = tf.randomNormal([M]);
await workload(
  "chain relu(2x+1)·σ(x)−x/2, 4M",
  "GB/s",
  8 * M,
  5,
  () => x.mul(2).add(1).relu().mul(x.sigmoid()).sub(x.mul(0.5)),
  () => tf.sub(tf.mul(tf.relu(tf.add(tf.mul(tx, 2), 1)), tf.sigmoid(tx)), tf.mul(tx, 0.5)),
);
const S = 16 * 2 ** 20;
const s = nb.rand([S]).realize();
const ts = tf.randomUniform([S]);
await workload(
  "sum of 16M",
  "GB/s",
  4 * S,
  5,
  () => s.sum(),
  () => tf.sum(ts),
);
const l = nb.randn([4096, 1000]).realize();
const tl = tf.randomNormal([4096, 1000]);
await workload(
  "softmax 4096×1000",
  "GB/s",
  8 * 4096 * 1000,
  5,
  () => nb.softmax(l, -1),
  () => tf.softmax(tl),
);
const one = nb.tensor([1]).realize();
const tone = tf.tensor([1]);
await workload(
  "tiny op (x+1 on 1 element), read back",
  "kcalls/s",
  1e6,
  200,
  () => one.add(1),
  () => tf.add(tone, 1),
);

console.log(`machine: ${JSON.stringify(machine())}; nabla backend ${nb.getBackend()}, 1 thread`);
console.log(
  "workload".padEnd(36),
  "unit".padEnd(7),
  "nabla".padStart(9),
  ...Object.keys(rows[0]?.peers ?? {}).map((p) => `${p.padStart(10)} ratio`),
);
for (const r of rows) {
  const cells = Object.values(r.peers).map(
    (v) => `${v.toFixed(2).padStart(10)} ${(r.nabla / v).toFixed(2).padStart(5)}×`,
  );
  console.log(r.workload.padEnd(36), r.unit.padEnd(7), r.nabla.toFixed(2).padStart(9), ...cells);
}
const file = `bench/results/peers-${new Date().toISOString().slice(0, 10)}.json`;
writeFileSync(file, JSON.stringify({ machine: machine(), date: new Date().toISOString(), rows }, null, 2));
console.log(`saved ${file}`);
