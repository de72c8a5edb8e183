// The graph compiler's effect, measured: the elementwise chain relu(x*2+1)*sigmoid(x) - 0.5*x on
// 4M floats (one fused kernel) next to this machine's memcpy bandwidth, and an MLP train step
// eager vs jit. Run: npm run bench:compiler
import { writeFileSync } from "node:fs";
import * as nb from "../src/index.js";
import { machine, timeIt } from "./machine.js";

const N = Number(process.env.CHAIN_N ?? 4 * 2 ** 20);
const results: Record<string, unknown> = {
  machine: machine(),
  backend: nb.getBackend(),
  date: new Date().toISOString(),
};

// memcpy: copying a 16 MB Float32Array (read + write)
const src = new Float32Array(N).fill(1.5);
const dst = new Float32Array(N);
const memcpyMs = timeIt(() => dst.set(src), 9, 2);
const memcpyGBs = (2 * N * 4) / (memcpyMs / 1000) / 1e9;

const x = nb.randn([N]).realize();
const chain = (t: nb.Tensor) => t.mul(2).add(1).relu().mul(t.sigmoid()).sub(t.mul(0.5));
const kernels = nb.explain(chain(x)).toJSON().kernels.length;
const jchain = nb.jit(chain);
const chainMs = timeIt(() => jchain(x).dispose(), 3, 1);
const chainGBs = (2 * N * 4) / (chainMs / 1000) / 1e9;
results["chain"] = { n: N, kernels, ms: chainMs, GBs: chainGBs, memcpyGBs, ratioToMemcpy: chainGBs / memcpyGBs };
console.log(
  `elementwise chain on ${N} floats: ${kernels} kernel(s), ${chainMs.toFixed(1)} ms, ${chainGBs.toFixed(2)} GB/s`,
);
console.log(`memcpy: ${memcpyGBs.toFixed(2)} GB/s → chain at ${((100 * chainGBs) / memcpyGBs).toFixed(1)}% of memcpy`);

// MLP 784-256-128-10 train step, batch 128, SGD
const B = Number(process.env.MLP_BATCH ?? 128);
const sizes = [784, 256, 128, 10];
const init = () =>
  sizes.slice(1).map((o, i) => ({
    w: nb
      .randn([sizes[i] as number, o])
      .mul(0.05)
      .realize(),
    b: nb.zeros([o]).realize(),
  }));
type P = { w: nb.Tensor; b: nb.Tensor }[];
const forward = (p: P, xb: nb.Tensor) =>
  p.reduce((h, l, i) => (i < p.length - 1 ? h.matmul(l.w).add(l.b).relu() : h.matmul(l.w).add(l.b)), xb);
const loss = (p: P, xb: nb.Tensor, yb: nb.Tensor) => nb.crossEntropy(forward(p, xb), yb);
const step = (p: P, xb: nb.Tensor, yb: nb.Tensor) => {
  const [l, g] = nb.valueAndGrad(loss)(p, xb, yb) as [nb.Tensor, P];
  return [p.map((q, i) => ({ w: q.w.sub(g[i]!.w.mul(0.01)), b: q.b.sub(g[i]!.b.mul(0.01)) })), l] as const;
};
const xb = nb.rand([B, 784]).realize();
const yb = nb.randint(0, 10, [B]).realize();
let params = init();
const runs = Number(process.env.MLP_RUNS ?? 3);
const eagerMs = timeIt(
  () => {
    const [next, l] = nb.tidy(() => {
      const [n, ll] = step(params, xb, yb);
      nb.realize(ll, ...n.flatMap((q) => [q.w, q.b]));
      return [n, ll] as const;
    });
    nb.dispose(params);
    l.dispose();
    params = next;
  },
  runs,
  1,
);
const jstep = nb.jit(step, { donate: [0] });
const jitMs = timeIt(
  () => {
    const [next, l] = jstep(params, xb, yb);
    l.item();
    l.dispose();
    params = next as P;
  },
  runs,
  1,
);
results["mlpTrainStep"] = {
  batch: B,
  eagerMs,
  jitMs,
  eagerStepsPerS: 1000 / eagerMs,
  jitStepsPerS: 1000 / jitMs,
  jitSpeedup: eagerMs / jitMs,
};
console.log(
  `MLP 784-256-128-10 train step (batch ${B}): eager ${eagerMs.toFixed(1)} ms, jit ${jitMs.toFixed(1)} ms (${(eagerMs / jitMs).toFixed(2)}×)`,
);

const file = `bench/results/compiler-${new Date().toISOString().slice(0, 10)}.json`;
writeFileSync(file, JSON.stringify(results, null, 2));
console.log(`saved ${file}`);
