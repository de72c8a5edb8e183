// nn modules: the Module API (parameters, state dicts, modes), each layer's forward against a naive
// float64 reference written here, gradients by finite differences through functionalCall, and an
// MLP trained on XOR.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as nb from "../src/index.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";
import { assertClose, gradCheck, randomArray, rng } from "./util.js";

const F = nn.functional;
type M = number[][];
const T64 = (data: ArrayLike<number>, shape: number[]): nb.Tensor =>
  nb.tensor(Float64Array.from(data), { shape, dtype: "float64" });
const flat = (t: nb.Tensor): number[] => Array.from(t.dataSync());
const mat = (t: nb.Tensor): M => t.arraySync() as M;
const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * (b[i] as number), 0);
/** x [n, in] · wᵀ [in, out] + b. */
const linRef = (x: M, w: M, b?: number[]): M => x.map((r) => w.map((wr, o) => dot(r, wr) + (b?.[o] ?? 0)));
const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const TOL = { rtol: 1e-9, atol: 1e-9 };

class MLP extends nn.Module {
  body = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 2));
  norm = new nn.BatchNorm1d(2);
  override forward(x: nb.Tensor): nb.Tensor {
    return this.norm.call(this.body.call(x));
  }
}

test("parameters, names, buffers and children are found recursively; shared ones appear once", () => {
  const m = new MLP();
  assert.deepEqual(
    m.namedParameters().map(([k, t]) => [k, t.shape]),
    [
      ["body.0.weight", [3, 2]],
      ["body.0.bias", [3]],
      ["body.2.weight", [2, 3]],
      ["body.2.bias", [2]],
      ["norm.weight", [2]],
      ["norm.bias", [2]],
    ],
  );
  assert.deepEqual(Object.keys(m.stateDict()), [
    "body.0.weight",
    "body.0.bias",
    "body.2.weight",
    "body.2.bias",
    "norm.weight",
    "norm.bias",
    "norm.runningMean",
    "norm.runningVar",
    "norm.numBatchesTracked",
  ]);
  assert.equal(m.children().length, 2);
  assert.equal(m.numParameters(), 6 + 3 + 6 + 2 + 2 + 2);
  const shared = new nn.Linear(2, 2);
  const twice = new nn.Sequential(shared, new nn.Tanh(), shared);
  assert.equal(twice.parameters().length, 2);
  m.eval();
  assert.ok(m.modules().every((x) => !x.training));
  m.train();
  assert.ok(m.norm.training && m.body.at(0).training);
  assert.throws(() => new nn.Module().call(nb.zeros([1])), /does not define forward/);
});

test("stateDict → loadStateDict round trip; strict errors name missing, unexpected and mis-shaped keys", () => {
  nb.seed(1);
  const a = new MLP();
  nb.seed(2);
  const b = new MLP();
  a.train().call(
    nb.tensor([
      [1, 2],
      [3, -1],
      [0.5, 0.5],
    ]),
  ); // moves a's running stats
  b.loadStateDict(a.stateDict());
  for (const [k, t] of Object.entries(a.stateDict())) assertClose(flat(b.stateDict()[k] as nb.Tensor), flat(t), TOL, k);
  // b's tensors are its own: training a does not change b
  assert.notEqual(b.body.at(0).parameters()[0]?.node, a.body.at(0).parameters()[0]?.node);
  const dict = { ...a.stateDict() };
  delete dict["norm.bias"];
  assert.throws(() => b.loadStateDict(dict), /missing keys: norm\.bias/);
  assert.throws(() => b.loadStateDict({ ...a.stateDict(), extra: nb.tensor([1]) }), /unexpected keys: extra/);
  assert.throws(
    () => b.loadStateDict({ ...a.stateDict(), "norm.weight": nb.tensor([1, 2, 3]) }),
    /size mismatch for norm\.weight: expected \[2\], got \[3\]/,
  );
  const r = b.loadStateDict({ "norm.weight": [5, 6], other: [1] }, { strict: false });
  assert.deepEqual(r.unexpectedKeys, ["other"]);
  assert.equal(r.missingKeys.length, 8);
  assertClose(flat(b.norm.weight as nb.Tensor), [5, 6]);
});

test("zeroGrad drops gradients; backward fills every parameter's grad", () => {
  const m = new nn.Linear(3, 2);
  m.call(nb.tensor([[1, 2, 3]]))
    .sum()
    .backward();
  assert.ok(m.parameters().every((p) => p.grad !== undefined));
  assertClose(flat(m.bias?.grad as nb.Tensor), [1, 1]);
  m.zeroGrad();
  assert.ok(m.parameters().every((p) => p.grad === undefined));
});

test("init: seeded and reproducible, kaiming/xavier bounds and statistics, constants", () => {
  const draw = (): number[] => {
    nb.seed(42);
    return flat(new nn.Linear(4, 3).weight);
  };
  assert.deepEqual(draw(), draw());
  const w = nn.parameter(nb.zeros([200, 50]));
  const b = Math.sqrt(6 / 50); // kaimingUniform, relu gain √2: √2·√(3/50)
  nn.init.kaimingUniform_(w, { nonlinearity: "relu" });
  const v = flat(w);
  assert.ok(v.every((x) => Math.abs(x) <= b) && Math.max(...v) > 0.9 * b);
  nn.init.xavierNormal_(w);
  const std = Math.sqrt(v.length ? flat(w).reduce((s, x) => s + x * x, 0) / v.length : 0);
  assertClose([std], [Math.sqrt(2 / 250)], { rtol: 0.05 });
  nn.init.kaimingNormal_(w, { mode: "fanOut" });
  assertClose([Math.sqrt(flat(w).reduce((s, x) => s + x * x, 0) / v.length)], [Math.sqrt(2 / 200)], { rtol: 0.05 });
  nn.init.ones_(w);
  assert.ok(flat(w).every((x) => x === 1));
  // Linear's default: U(±1/√fanIn)
  nb.seed(3);
  const lin = new nn.Linear(16, 64);
  assert.ok(
    flat(lin.weight).every((x) => Math.abs(x) <= 0.25) && flat(lin.bias as nb.Tensor).every((x) => Math.abs(x) <= 0.25),
  );
  assertClose([nn.init.calculateGain("leakyRelu", Math.sqrt(5))], [Math.sqrt(1 / 3)]);
});

test("Linear forward matches x·Wᵀ + b; gradients through functionalCall match finite differences", () => {
  const lin = new nn.Linear(3, 2).to("float64");
  const x = [
    [1, -2, 0.5],
    [0.3, 0.1, -1],
  ];
  assertClose(
    flat(lin.call(T64(x.flat(), [2, 3]))),
    linRef(x, mat(lin.weight), flat(lin.bias as nb.Tensor)).flat(),
    TOL,
  );
  const r = rng(5);
  gradCheck((xx, w, b) => nn.functionalCall(lin, { weight: w, bias: b }, xx).tanh(), {
    inputs: [
      { data: randomArray(6, r), shape: [2, 3] },
      { data: randomArray(6, r), shape: [2, 3] },
      { data: randomArray(2, r), shape: [2] },
    ],
  });
  assert.equal(new nn.Linear(3, 2, { bias: false }).parameters().length, 1);
});

test("AdaptiveAvgPool2d averages PyTorch's windows (uneven sizes too); Flatten", () => {
  const x = Array.from({ length: 2 * 5 * 7 }, (_, i) => Math.sin(i));
  const y = new nn.AdaptiveAvgPool2d([3, 4]).call(T64(x, [1, 2, 5, 7]));
  assert.deepEqual(y.shape, [1, 2, 3, 4]);
  const want: number[] = [];
  for (let c = 0; c < 2; c++)
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 4; j++) {
        const [h0, h1] = [Math.floor((i * 5) / 3), Math.ceil(((i + 1) * 5) / 3)];
        const [w0, w1] = [Math.floor((j * 7) / 4), Math.ceil(((j + 1) * 7) / 4)];
        let s = 0;
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) s += x[c * 35 + h * 7 + w] as number;
        want.push(s / ((h1 - h0) * (w1 - w0)));
      }
  assertClose(flat(y), want, TOL);
  const g = new nn.AdaptiveAvgPool2d(1).call(T64(x, [1, 2, 5, 7]));
  assertClose(
    flat(g),
    [0, 1].map((c) => x.slice(c * 35, c * 35 + 35).reduce((a, b) => a + b) / 35),
    TOL,
  );
  assert.deepEqual(new nn.Flatten().call(nb.zeros([2, 3, 4])).shape, [2, 12]);
});

function bnRef(
  x: number[],
  n: number,
  c: number,
  inner: number,
): { y: number[]; mean: number[]; varB: number[]; varU: number[] } {
  const mean: number[] = [];
  const varB: number[] = [];
  const varU: number[] = [];
  const at = (i: number, ch: number, k: number): number => x[(i * c + ch) * inner + k] as number;
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let i = 0; i < n; i++) for (let k = 0; k < inner; k++) s += at(i, ch, k);
    const mu = s / (n * inner);
    let q = 0;
    for (let i = 0; i < n; i++) for (let k = 0; k < inner; k++) q += (at(i, ch, k) - mu) ** 2;
    mean.push(mu);
    varB.push(q / (n * inner));
    varU.push(q / (n * inner - 1));
  }
  const y = x.map((v, idx) => {
    const ch = Math.floor(idx / inner) % c;
    return (v - (mean[ch] as number)) / Math.sqrt((varB[ch] as number) + 1e-5);
  });
  return { y, mean, varB, varU };
}

test("BatchNorm2d: batch statistics in training (running update with unbiased var), running ones in eval", () => {
  const bn = new nn.BatchNorm2d(2, { momentum: 0.3 }).to("float64");
  const x = randomArray(3 * 2 * 2 * 2, rng(9), -2, 3);
  const ref = bnRef(Array.from(x), 3, 2, 4);
  assertClose(flat(bn.call(T64(x, [3, 2, 2, 2]))), ref.y, { rtol: 1e-8, atol: 1e-8 });
  const rm = ref.mean.map((m) => 0.3 * m);
  const rv = ref.varU.map((v) => 0.7 + 0.3 * v);
  assertClose(flat(bn.runningMean as nb.Tensor), rm, TOL);
  assertClose(flat(bn.runningVar as nb.Tensor), rv, TOL);
  assert.equal(bn.numBatchesTracked?.item(), 1);
  nn.init.constant_(bn.weight as nb.Tensor, 2);
  nn.init.constant_(bn.bias as nb.Tensor, 0.5);
  bn.eval();
  const y = flat(bn.call(T64(x, [3, 2, 2, 2])));
  const want = Array.from(x, (v, i) => {
    const ch = Math.floor(i / 4) % 2;
    return (2 * (v - (rm[ch] as number))) / Math.sqrt((rv[ch] as number) + 1e-5) + 0.5;
  });
  assertClose(y, want, TOL);
  assert.equal(bn.numBatchesTracked?.item(), 1, "eval does not update");
  // momentum null: a cumulative average
  const cum = new nn.BatchNorm1d(2, { momentum: null }).to("float64");
  const x1 = [1, 2, 3, 6];
  const x2 = [0, 0, 4, 2];
  cum.call(T64(x1, [2, 2]));
  cum.call(T64(x2, [2, 2]));
  assertClose(flat(cum.runningMean as nb.Tensor), [(2 + 2) / 2, (4 + 1) / 2], TOL);
  assert.throws(() => cum.call(nb.zeros([2, 3])), /BatchNorm1d: expected input of rank 2 or 3 with 2 channels/);
});

test("BatchNorm and LayerNorm gradients match finite differences; LayerNorm forward matches", () => {
  const r = rng(3);
  gradCheck((x, w, b) => F.batchNorm(x, null, w, b), {
    inputs: [
      { data: randomArray(12, r), shape: [3, 2, 2] },
      { data: randomArray(2, r), shape: [2] },
      { data: randomArray(2, r), shape: [2] },
    ],
  });
  const ln = new nn.LayerNorm([2, 3]).to("float64");
  nn.init.uniform_(ln.weight as nb.Tensor, -1, 1);
  nn.init.uniform_(ln.bias as nb.Tensor, -1, 1);
  const x = randomArray(12, r, -3, 3);
  const [w, b] = [flat(ln.weight as nb.Tensor), flat(ln.bias as nb.Tensor)];
  const want: number[] = [];
  for (let i = 0; i < 2; i++) {
    const row = Array.from(x.slice(i * 6, i * 6 + 6));
    const mu = row.reduce((s, v) => s + v) / 6;
    const v = row.reduce((s, q) => s + (q - mu) ** 2, 0) / 6;
    row.forEach((q, k) => want.push(((q - mu) / Math.sqrt(v + 1e-5)) * (w[k] as number) + (b[k] as number)));
  }
  assertClose(flat(ln.call(T64(x, [2, 2, 3]))), want, TOL);
  gradCheck((xx, ww, bb) => nn.functionalCall(ln, { weight: ww, bias: bb }, xx), {
    inputs: [
      { data: x, shape: [2, 2, 3] },
      { data: w, shape: [2, 3] },
      { data: b, shape: [2, 3] },
    ],
  });
  assert.equal(new nn.LayerNorm(4, { elementwiseAffine: false }).parameters().length, 0);
});

test("losses: l1, smoothL1, nll (weights, ignoreIndex), stable binaryCrossEntropyWithLogits", () => {
  const p = T64([0.5, -1, 2, 0], [2, 2]);
  const t = T64([1, 1, 0, 0.5], [2, 2]);
  assertClose([F.l1(p, t).item() as number], [(0.5 + 2 + 2 + 0.5) / 4]);
  assertClose([F.smoothL1(p, t, { reduction: "sum" }).item() as number], [0.125 + 1.5 + 1.5 + 0.125]);
  const lp = T64([-0.1, -2, -3, -1.5, -0.4, -2.5], [2, 3]);
  const labels = nb.tensor([0, 2], { dtype: "int32" });
  assertClose([F.nll(lp, labels).item() as number], [(0.1 + 2.5) / 2]);
  assertClose(flat(F.nll(lp, labels, { reduction: "none" })), [0.1, 2.5]);
  assertClose([F.nll(lp, labels, { weight: [1, 1, 3] }).item() as number], [(0.1 + 3 * 2.5) / 4]);
  assertClose([F.nll(lp, labels, { ignoreIndex: 2 }).item() as number], [0.1]);
  const logits = [-800, -3, 0, 2.5, 800];
  const ys = [0, 1, 0.5, 0, 1];
  const ref = logits.map((x, i) => Math.max(x, 0) - x * (ys[i] as number) + Math.log1p(Math.exp(-Math.abs(x))));
  assertClose(flat(F.binaryCrossEntropyWithLogits(T64(logits, [5]), T64(ys, [5]), { reduction: "none" })), ref, TOL);
  const pw = logits.map((x, i) => {
    const y = ys[i] as number;
    return 3 * y * Math.log1p(Math.exp(-x)) + (1 - y) * Math.log1p(Math.exp(x));
  });
  const small = [1, 2]; // finite logits only for the naive form
  assertClose(
    flat(F.binaryCrossEntropyWithLogits(T64([-3, 0], [2]), T64([1, 0.5], [2]), { reduction: "none", posWeight: 3 })),
    small.map((i) => pw[i] as number),
    TOL,
  );
  assertClose([F.binaryCrossEntropy(T64([0.25], [1]), T64([1], [1])).item() as number], [Math.log(4)]);
  gradCheck((x) => F.binaryCrossEntropyWithLogits(x, T64([0, 1, 0.3], [3])), {
    inputs: [{ data: [-2, 0.5, 3], shape: [3] }],
  });
});

test("activation modules match their functions", () => {
  const x = T64([-2, -0.5, 0, 1.5], [4]);
  const v = flat(x);
  const cases: [nn.Layer, (z: number) => number][] = [
    [new nn.ReLU(), (z) => Math.max(z, 0)],
    [new nn.Tanh(), Math.tanh],
    [new nn.Sigmoid(), sig],
    [new nn.SiLU(), (z) => z * sig(z)],
    [new nn.LeakyReLU(0.1), (z) => (z > 0 ? z : 0.1 * z)],
    [new nn.ELU(2), (z) => (z > 0 ? z : 2 * Math.expm1(z))],
    [new nn.GELU("tanh"), (z) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)))],
  ];
  for (const [m, f] of cases) assertClose(flat(m.call(x)), v.map(f), TOL, m.constructor.name);
});

/** Trains a 2-8-1 tanh MLP on XOR with Adam; returns the losses. */
function trainXor(steps: number, useBackward: boolean, onStep?: (i: number) => void): number[] {
  nb.seed(0);
  const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
  const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
  const X = nb.tensor([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  const Y = nb.tensor([[0], [1], [1], [0]]);
  const names = model.namedParameters().map(([k]) => k);
  const lossFn = (ps: Record<string, nb.Tensor>): nb.Tensor =>
    F.binaryCrossEntropyWithLogits(nn.functionalCall(model, ps, X), Y);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    nb.tidy(() => {
      if (useBackward) {
        opt.zeroGrad();
        const loss = F.binaryCrossEntropyWithLogits(model.call(X), Y);
        loss.backward();
        losses.push(loss.item() as number);
      } else {
        const ps = Object.fromEntries(model.namedParameters());
        const [loss, grads] = nb.valueAndGrad(lossFn)(ps) as [nb.Tensor, Record<string, nb.Tensor>];
        names.forEach((k) => ((ps[k] as nb.Tensor).grad = grads[k]));
        losses.push(loss.item() as number);
      }
      opt.step();
    });
    onStep?.(i);
  }
  X.dispose();
  Y.dispose();
  opt.dispose();
  model.dispose();
  return losses;
}

test("an MLP learns XOR with Adam (loss < 0.05), deterministically, without buffer growth", () => {
  const live: number[] = [];
  const losses = trainXor(300, false, () => live.push(nb.memory().buffers));
  assert.ok((losses[losses.length - 1] as number) < 0.05, `final loss ${losses[losses.length - 1]}`);
  assert.deepEqual(trainXor(20, false), losses.slice(0, 20), "same seed, same losses");
  assert.equal(live[live.length - 1], live[1], "live buffers grew during training");
  const viaBackward = trainXor(300, true);
  assert.ok((viaBackward[viaBackward.length - 1] as number) < 0.05);
  assertClose(viaBackward.slice(0, 20), losses.slice(0, 20), { rtol: 1e-5 });
});

// ---- layers over tensor-level functions that other work provides; each runs once those exist ----

/** "waiting for …" while `probe` still throws "not available yet", else false (run the test). */
function waitingFor(what: string, probe: () => unknown): string | false {
  try {
    nb.tidy(() => void probe());
    return false;
  } catch (e) {
    return /not available yet/.test(String(e)) ? `waiting for ${what}` : false;
  }
}
const x4 = (): nb.Tensor => nb.zeros([1, 1, 2, 2]);
const splitReady = waitingFor("split/stack", () => nb.stack(nb.split(nb.zeros([2, 2]), 2, 0), 0));

function conv2dRef(
  x: number[],
  xs: number[],
  w: number[],
  ws: number[],
  b: number[],
  s: number,
  p: number,
  d: number,
  g: number,
): number[] {
  const [n, c, h, wd] = xs as [number, number, number, number];
  const [o, cg, kh, kw] = ws as [number, number, number, number];
  const oh = Math.floor((h + 2 * p - d * (kh - 1) - 1) / s) + 1;
  const ow = Math.floor((wd + 2 * p - d * (kw - 1) - 1) / s) + 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++)
    for (let oc = 0; oc < o; oc++)
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          let acc = b[oc] ?? 0;
          const g0 = Math.floor(oc / (o / g)) * cg;
          for (let ic = 0; ic < cg; ic++)
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const yy = y * s - p + u * d;
                const xq = xx * s - p + v * d;
                if (yy < 0 || yy >= h || xq < 0 || xq >= wd) continue;
                acc +=
                  (x[((i * c + g0 + ic) * h + yy) * wd + xq] as number) *
                  (w[((oc * cg + ic) * kh + u) * kw + v] as number);
              }
          out.push(acc);
        }
  return out;
}

test(
  "Conv2d (stride, padding, dilation, groups) matches a naive convolution; its gradients too",
  { skip: waitingFor("conv2d", () => nb.conv2d(x4(), nb.zeros([1, 1, 1, 1]))) },
  () => {
    const conv = new nn.Conv2d(4, 6, 3, { stride: 2, padding: 1, dilation: 1, groups: 2 }).to("float64");
    const xs = [2, 4, 5, 5];
    const x = randomArray(200, rng(4));
    const want = conv2dRef(
      Array.from(x),
      xs,
      flat(conv.weight),
      conv.weight.shape,
      flat(conv.bias as nb.Tensor),
      2,
      1,
      1,
      2,
    );
    assertClose(flat(conv.call(T64(x, xs))), want, TOL);
    const dil = new nn.Conv2d(2, 3, [2, 2], { dilation: 2, bias: false }).to("float64");
    const y = randomArray(2 * 2 * 5 * 5, rng(6));
    assertClose(
      flat(dil.call(T64(y, [2, 2, 5, 5]))),
      conv2dRef(Array.from(y), [2, 2, 5, 5], flat(dil.weight), dil.weight.shape, [], 1, 0, 2, 1),
      TOL,
    );
    const r = rng(8);
    const small = new nn.Conv2d(2, 2, 2, { padding: 1 }).to("float64");
    gradCheck((xx, w, b) => nn.functionalCall(small, { weight: w, bias: b }, xx), {
      inputs: [
        { data: randomArray(18, r), shape: [1, 2, 3, 3] },
        { data: randomArray(16, r), shape: [2, 2, 2, 2] },
        { data: randomArray(2, r), shape: [2] },
      ],
    });
    const c1 = new nn.Conv1d(2, 3, 2).to("float64");
    const z = randomArray(8, r);
    const z4 = conv2dRef(
      Array.from(z),
      [1, 2, 1, 4],
      flat(c1.weight),
      [3, 2, 1, 2],
      flat(c1.bias as nb.Tensor),
      1,
      0,
      1,
      1,
    );
    assertClose(flat(c1.call(T64(z, [1, 2, 4]))), z4, TOL);
  },
);

test(
  "MaxPool2d and AvgPool2d (stride defaults to the kernel; padding) match naive pooling",
  {
    skip: waitingFor("maxPool2d/avgPool2d", () => [nb.maxPool2d(x4(), 2).dataSync(), nb.avgPool2d(x4(), 2).dataSync()]),
  },
  () => {
    const x = Array.from({ length: 2 * 4 * 5 }, (_, i) => Math.cos(i * 1.7));
    const pool = (k: number, s: number, p: number, max: boolean): number[] => {
      const out: number[] = [];
      const [h, w] = [4, 5];
      const oh = Math.floor((h + 2 * p - k) / s) + 1;
      const ow = Math.floor((w + 2 * p - k) / s) + 1;
      for (let c = 0; c < 2; c++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            let acc = max ? -Infinity : 0;
            for (let u = 0; u < k; u++)
              for (let v = 0; v < k; v++) {
                const [y, z] = [i * s - p + u, j * s - p + v];
                const val =
                  y < 0 || y >= h || z < 0 || z >= w ? (max ? -Infinity : 0) : (x[c * 20 + y * w + z] as number);
                acc = max ? Math.max(acc, val) : acc + val / (k * k);
              }
            out.push(acc);
          }
      return out;
    };
    assertClose(flat(new nn.MaxPool2d(2).call(T64(x, [1, 2, 4, 5]))), pool(2, 2, 0, true), TOL);
    assertClose(
      flat(new nn.MaxPool2d(3, { stride: 1, padding: 1 }).call(T64(x, [1, 2, 4, 5]))),
      pool(3, 1, 1, true),
      TOL,
    );
    assertClose(flat(new nn.AvgPool2d(2).call(T64(x, [1, 2, 4, 5]))), pool(2, 2, 0, false), TOL);
    assertClose(
      flat(new nn.AvgPool2d(3, { stride: 2, padding: 1 }).call(T64(x, [1, 2, 4, 5]))),
      pool(3, 2, 1, false),
      TOL,
    );
  },
);

test(
  "Embedding picks rows; gradients flow into the picked rows",
  { skip: waitingFor("take", () => nb.zeros([2, 2]).take(nb.tensor([1], { dtype: "int32" }), 0)) },
  () => {
    const emb = new nn.Embedding(5, 3).to("float64");
    const w = mat(emb.weight);
    const idx = nb.tensor(
      [
        [4, 0],
        [2, 4],
      ],
      { dtype: "int32" },
    );
    assertClose(
      flat(emb.call(idx)),
      [4, 0, 2, 4].flatMap((i) => w[i] as number[]),
      TOL,
    );
    emb.call(idx).sum().backward();
    assertClose(flat(emb.weight.grad as nb.Tensor), [1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 2, 2, 2]);
  },
);

test(
  "Dropout: zero or scaled by 1/(1−p) in training, identity in eval, reproducible with a seed or key",
  { skip: waitingFor("dropout", () => nb.dropout(nb.ones([2]), 0.5, { training: true }).dataSync()) },
  () => {
    const x = nb.ones([1000]);
    const d = new nn.Dropout(0.25);
    nb.seed(7);
    const a = flat(d.call(x));
    assert.ok(a.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6));
    const kept = a.filter((v) => v !== 0).length / 1000;
    assert.ok(Math.abs(kept - 0.75) < 0.06, `kept ${kept}`);
    nb.seed(7);
    assert.deepEqual(flat(d.call(x)), a);
    d.eval();
    assert.deepEqual(flat(d.call(x)), flat(x));
    const k = nb.random.key(3);
    const [d1, d2] = [new nn.Dropout(0.5, { key: k }), new nn.Dropout(0.5, { key: k })];
    assert.deepEqual(flat(d1.call(x)), flat(d2.call(x)));
    assert.notDeepEqual(flat(d1.call(x)), flat(d1.call(x)), "each call draws a new mask");
  },
);

interface CellW {
  wIh: M;
  wHh: M;
  bIh: number[];
  bHh: number[];
}
const cellW = (m: nn.Module<never[], unknown>, sfx: string): CellW => {
  const sd = m.stateDict();
  const g = (k: string): nb.Tensor => sd[k + sfx] as nb.Tensor;
  return { wIh: mat(g("weightIh")), wHh: mat(g("weightHh")), bIh: flat(g("biasIh")), bHh: flat(g("biasHh")) };
};
/** Pre-activations x·Wᵢₕᵀ + bᵢₕ and h·Wₕₕᵀ + bₕₕ for one batch row. */
const pre = (w: CellW, x: number[], h: number[]): [number[], number[]] => [
  w.wIh.map((r, i) => dot(r, x) + (w.bIh[i] as number)),
  w.wHh.map((r, i) => dot(r, h) + (w.bHh[i] as number)),
];
type Step = (w: CellW, x: number[], s: number[][], hd: number) => number[][];
const lstmStep: Step = (w, x, [h, c], hd) => {
  const [a, b] = pre(w, x, h as number[]);
  const gt = (k: number, j: number): number => (a[k * hd + j] as number) + (b[k * hd + j] as number);
  const c2 = (c as number[]).map((cv, j) => sig(gt(1, j)) * cv + sig(gt(0, j)) * Math.tanh(gt(2, j)));
  return [c2.map((cv, j) => sig(gt(3, j)) * Math.tanh(cv)), c2];
};
const gruStep: Step = (w, x, [h], hd) => {
  const [a, b] = pre(w, x, h as number[]);
  return [
    (h as number[]).map((hv, j) => {
      const r = sig((a[j] as number) + (b[j] as number));
      const z = sig((a[hd + j] as number) + (b[hd + j] as number));
      const n = Math.tanh((a[2 * hd + j] as number) + r * (b[2 * hd + j] as number));
      return (1 - z) * n + z * hv;
    }),
  ];
};
const rnnStep: Step = (w, x, [h]) => {
  const [a, b] = pre(w, x, h as number[]);
  return [a.map((v, j) => Math.tanh(v + (b[j] as number)))];
};

/** Unrolls layers × time with explicit loops: x [T][B][in] → out [T][B][H] and final states [part][L][B][H]. */
function unroll(step: Step, ws: CellW[], x: number[][][], hd: number, parts: number): [number[][][], number[][][][]] {
  let seq = x;
  const finals: number[][][][] = Array.from({ length: parts }, () => []);
  ws.forEach((w) => {
    const b = (seq[0] as number[][]).length;
    let s = Array.from({ length: b }, () => Array.from({ length: parts }, () => new Array<number>(hd).fill(0)));
    seq = seq.map((xt) => {
      s = xt.map((xb, i) => step(w, xb, s[i] as number[][], hd));
      return s.map((sb) => sb[0] as number[]);
    });
    for (let k = 0; k < parts; k++) (finals[k] as number[][][]).push(s.map((sb) => sb[k] as number[]));
  });
  return [seq, finals];
}

test(
  "RNN, LSTM and GRU (2 layers, 3 steps, batchFirst) match explicit loops with PyTorch's gate order",
  { skip: splitReady },
  () => {
    const [t, b, inp, hd] = [3, 2, 3, 2];
    const xData = randomArray(t * b * inp, rng(12), -1, 1);
    const xRef: number[][][] = Array.from({ length: t }, (_, i) =>
      Array.from({ length: b }, (_, j) => Array.from(xData.slice((i * b + j) * inp, (i * b + j + 1) * inp))),
    );
    const cases: [string, nn.RNN | nn.LSTM | nn.GRU, Step, number][] = [
      ["RNN", new nn.RNN(inp, hd, { numLayers: 2 }), rnnStep, 1],
      ["LSTM", new nn.LSTM(inp, hd, { numLayers: 2 }), lstmStep, 2],
      ["GRU", new nn.GRU(inp, hd, { numLayers: 2 }), gruStep, 1],
    ];
    for (const [name, m, step, parts] of cases) {
      m.to("float64");
      assert.deepEqual(m.weightIh.shape, [(name === "RNN" ? 1 : name === "LSTM" ? 4 : 3) * hd, inp]);
      const [outRef, finRef] = unroll(step, [cellW(m, "L0"), cellW(m, "L1")], xRef, hd, parts);
      const [out, state] = m.call(T64(xData, [t, b, inp]));
      assertClose(flat(out), outRef.flat(2), TOL, `${name} output`);
      const st = parts === 2 ? (state as nb.Tensor[]) : [state as nb.Tensor];
      st.forEach((s, k) => {
        assert.deepEqual(s.shape, [2, b, hd]);
        assertClose(flat(s), (finRef[k] as number[][][]).flat(2), TOL, `${name} state ${k}`);
      });
      // batchFirst gives the same numbers transposed
      const Ctor = m.constructor as new (i: number, h: number, o: nn.RNNOptions) => typeof m;
      const mb = new Ctor(inp, hd, { numLayers: 2, batchFirst: true }).to("float64");
      mb.loadStateDict(m.stateDict());
      const bf = mb.call(T64(xData, [t, b, inp]).swapaxes(0, 1))[0].swapaxes(0, 1);
      assertClose(flat(bf), flat(out), TOL, `${name} batchFirst`);
    }
    // continuing from a given state equals one longer run
    const lstm = new nn.LSTM(2, 2).to("float64");
    const xs = T64(randomArray(8, rng(2)), [4, 1, 2]);
    const [full] = lstm.call(xs);
    const [first, rest] = xs.split(2, 0) as [nb.Tensor, nb.Tensor];
    const [, s1] = lstm.call(first);
    const [second] = lstm.call(rest, s1);
    assertClose(flat(second), flat(full).slice(4), TOL);
  },
);

test("gradients through LSTM and GRU weights and inputs match finite differences", { skip: splitReady }, () => {
  const r = rng(21);
  const lstm = new nn.LSTM(2, 2).to("float64");
  gradCheck((x, wih, whh, bhh) => nn.functionalCall(lstm, { weightIhL0: wih, weightHhL0: whh, biasHhL0: bhh }, x)[0], {
    inputs: [
      { data: randomArray(8, r), shape: [2, 2, 2] },
      { data: randomArray(16, r), shape: [8, 2] },
      { data: randomArray(16, r), shape: [8, 2] },
      { data: randomArray(8, r), shape: [8] },
    ],
  });
  const cell = new nn.GRUCell(3, 2).to("float64");
  gradCheck((x, h, w) => nn.functionalCall(cell, { weightHh: w }, x, h), {
    inputs: [
      { data: randomArray(6, r), shape: [2, 3] },
      { data: randomArray(4, r), shape: [2, 2] },
      { data: randomArray(12, r), shape: [6, 2] },
    ],
  });
});

function mhaRef(
  m: nn.MultiHeadAttention,
  q: number[][][],
  k: number[][][],
  v: number[][][],
  causal: boolean,
): [number[], number[]] {
  const e = m.embedDim;
  const hN = m.numHeads;
  const d = e / hN;
  const W = mat(m.inProjWeight);
  const bias = flat(m.inProjBias as nb.Tensor);
  const proj = (x: number[][], part: number): M =>
    linRef(x, W.slice(part * e, (part + 1) * e), bias.slice(part * e, (part + 1) * e));
  const out: number[] = [];
  const weights: number[] = [];
  q.forEach((qb, n) => {
    const [Q, K, V] = [proj(qb, 0), proj(k[n] as M, 1), proj(v[n] as M, 2)];
    const avg = Q.map(() => new Array<number>(K.length).fill(0));
    const ctx = Q.map(() => new Array<number>(e).fill(0));
    for (let h = 0; h < hN; h++) {
      const sl = (r: number[]): number[] => r.slice(h * d, (h + 1) * d);
      Q.forEach((qr, i) => {
        const s = K.map((kr, j) => (causal && j > i ? -Infinity : dot(sl(qr), sl(kr)) / Math.sqrt(d)));
        const mx = Math.max(...s);
        const ex = s.map((x) => Math.exp(x - mx));
        const z = ex.reduce((a, b) => a + b);
        ex.forEach((x, j) => {
          (avg[i] as number[])[j] = ((avg[i] as number[])[j] as number) + x / z / hN;
          for (let c = 0; c < d; c++)
            (ctx[i] as number[])[h * d + c] =
              ((ctx[i] as number[])[h * d + c] as number) + (x / z) * ((V[j] as number[])[h * d + c] as number);
        });
      });
    }
    out.push(...linRef(ctx, mat(m.outProj.weight), flat(m.outProj.bias as nb.Tensor)).flat());
    weights.push(...avg.flat());
  });
  return [out, weights];
}

test(
  "MultiHeadAttention matches a per-head naive reference (cross and causal self-attention)",
  { skip: waitingFor("split/softmax", () => [nb.split(nb.zeros([2]), 2, 0), nb.softmax(nb.zeros([2]))]) },
  () => {
    nb.seed(4);
    const m = new nn.MultiHeadAttention(4, 2, { batchFirst: true }).to("float64");
    nn.init.uniform_(m.inProjBias as nb.Tensor, -0.5, 0.5);
    const r = rng(17);
    const arr = (n: number, l: number): number[][][] =>
      Array.from({ length: n }, () => Array.from({ length: l }, () => Array.from(randomArray(4, r))));
    const [q, k, v] = [arr(2, 2), arr(2, 3), arr(2, 3)];
    const tq = T64(q.flat(2), [2, 2, 4]);
    const [out, w] = m.call(tq, T64(k.flat(2), [2, 3, 4]), T64(v.flat(2), [2, 3, 4]));
    const [oRef, wRef] = mhaRef(m, q, k, v, false);
    assert.deepEqual(w.shape, [2, 2, 3]);
    assertClose(flat(out), oRef, TOL, "output");
    assertClose(flat(w), wRef, TOL, "weights");
    const [co, cw] = m.call(tq, tq, tq, { isCausal: true });
    const [coRef, cwRef] = mhaRef(m, q, q, q, true);
    assertClose(flat(co), coRef, TOL, "causal output");
    assertClose(flat(cw), cwRef, TOL, "causal weights");
    const boolMask = nb.tensor([
      [false, true],
      [false, false],
    ]);
    assertClose(flat(m.call(tq, tq, tq, { mask: boolMask })[0]), coRef, TOL, "bool mask = causal");
    gradCheck((x, wIn) => nn.functionalCall(m, { inProjWeight: wIn }, x, x, x)[0], {
      inputs: [
        { data: q.flat(2), shape: [2, 2, 4] },
        { data: flat(m.inProjWeight), shape: [12, 4] },
      ],
    });
  },
);

test(
  "crossEntropy, mse and Softmax from the tensor level work through nn.functional",
  {
    skip: waitingFor("softmax/crossEntropy/mse", () => [
      nb.softmax(nb.zeros([2])),
      nb.crossEntropy(nb.zeros([1, 2]), nb.tensor([0], { dtype: "int32" })),
      nb.mse(nb.zeros([1]), nb.zeros([1])),
    ]),
  },
  () => {
    const logits = T64([1, 2, 0.5, -1, 0, 3], [2, 3]);
    const lse = (r: number[]): number => Math.log(r.reduce((s, x) => s + Math.exp(x), 0));
    const rows = [
      [1, 2, 0.5],
      [-1, 0, 3],
    ];
    const want = (0 - 1 + lse(rows[0] as number[]) + (lse(rows[1] as number[]) - 3)) / 2;
    assertClose([F.crossEntropy(logits, nb.tensor([0, 2], { dtype: "int32" })).item() as number], [want + 0], {
      rtol: 1e-9,
    });
    assertClose([F.nll(F.logSoftmax(logits), nb.tensor([0, 2], { dtype: "int32" })).item() as number], [want], {
      rtol: 1e-9,
    });
    assertClose(
      flat(new nn.Softmax(1).call(logits)).slice(0, 3),
      (rows[0] as number[]).map((x) => Math.exp(x - lse(rows[0] as number[]))),
      TOL,
    );
    assertClose([F.mse(T64([1, 2], [2]), T64([0, 4], [2])).item() as number], [2.5]);
  },
);
