// Optimizers, schedules and clipping: trajectories against naive float64 re-implementations of the
// published update rules, lr sequences against hand-computed values, state save/restore, no leaks.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as nb from "../src/index.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";
import { assertClose, leakFreeTest } from "./util.js";

// f(w) = Σ aᵢwᵢ²/2 + bᵢwᵢ, so ∇f = a·w + b
const A = [1.5, 0.5, 2.0];
const B = [-1.0, 0.3, 0.7];
const W0 = [0.8, -1.2, 0.4];
const gradAt = (w: number[]): number[] => w.map((x, i) => (A[i] as number) * x + (B[i] as number));

function lossOf(w: nb.Tensor): nb.Tensor {
  const a = nb.tensor(A, { dtype: "float64" });
  const b = nb.tensor(B, { dtype: "float64" });
  return w.square().mul(a).mul(0.5).add(w.mul(b)).sum();
}

/** Sets p.grad from nb.grad (the tensor is owned by the enclosing tidy). */
function setGrad(p: nb.Tensor, f: (w: nb.Tensor) => nb.Tensor): void {
  p.grad = nb.grad(f)(p) as nb.Tensor;
}

/** The parameter after each of `steps` steps of `make`'s optimizer on f. */
function trajectory(make: (ps: nb.Tensor[]) => optim.Optimizer<optim.BaseHyper>, steps = 3): number[][] {
  const w = nn.parameter(nb.tensor(W0, { dtype: "float64" }));
  const opt = make([w]);
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    nb.tidy(() => {
      setGrad(w, lossOf);
      opt.step();
    });
    out.push(Array.from(w.dataSync()));
  }
  opt.dispose();
  w.dispose();
  return out;
}

/** Runs a naive per-element rule: rule(w, g, t, state) mutates w and state (t counts from 1). */
function naive(
  rule: (w: number[], g: number[], t: number, s: Record<string, number[]>) => void,
  steps = 3,
): number[][] {
  const w = [...W0];
  const s: Record<string, number[]> = {};
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    rule(w, gradAt(w), t, s);
    out.push([...w]);
  }
  return out;
}

const zeros3 = (): number[] => [0, 0, 0];
function compare(got: number[][], want: number[][]): void {
  got.forEach((g, i) => assertClose(g, want[i] as number[], { rtol: 1e-12, atol: 1e-12 }, `step ${i + 1}`));
}

test("SGD: plain, momentum with dampening, Nesterov, weight decay (PyTorch rule)", () => {
  const sgd = (lr: number, mom: number, damp: number, nesterov: boolean, wd: number) =>
    naive((w, g0, t, s) => {
      const m = (s.m ??= zeros3());
      for (let i = 0; i < 3; i++) {
        let g = (g0[i] as number) + wd * (w[i] as number);
        if (mom) {
          m[i] = t === 1 ? g : mom * (m[i] as number) + (1 - damp) * g;
          g = nesterov ? g + mom * (m[i] as number) : (m[i] as number);
        }
        w[i] = (w[i] as number) - lr * g;
      }
    });
  compare(
    trajectory((ps) => new optim.SGD(ps, { lr: 0.1 })),
    sgd(0.1, 0, 0, false, 0),
  );
  compare(
    trajectory((ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, dampening: 0.2 })),
    sgd(0.1, 0.9, 0.2, false, 0),
  );
  compare(
    trajectory((ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.1 })),
    sgd(0.05, 0.8, 0, true, 0.1),
  );
  // hand-computed first step of plain SGD: w − 0.1·(a·w + b)
  const first = trajectory((ps) => new optim.SGD(ps, { lr: 0.1 }), 1)[0] as number[];
  assertClose(first, [0.8 - 0.1 * (1.2 - 1), -1.2 - 0.1 * (-0.6 + 0.3), 0.4 - 0.1 * (0.8 + 0.7)], { rtol: 1e-12 });
});

function adamRule(lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: boolean, ams: boolean) {
  return naive((w, g0, t, s) => {
    const m = (s.m ??= zeros3());
    const v = (s.v ??= zeros3());
    const vmax = (s.vmax ??= zeros3());
    for (let i = 0; i < 3; i++) {
      let g = g0[i] as number;
      if (decoupled) w[i] = (w[i] as number) * (1 - lr * wd);
      else g += wd * (w[i] as number);
      m[i] = b1 * (m[i] as number) + (1 - b1) * g;
      v[i] = b2 * (v[i] as number) + (1 - b2) * g * g;
      vmax[i] = Math.max(vmax[i] as number, v[i] as number);
      const mHat = (m[i] as number) / (1 - b1 ** t);
      const vHat = (ams ? (vmax[i] as number) : (v[i] as number)) / (1 - b2 ** t);
      w[i] = (w[i] as number) - (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  });
}

test("Adam, Adam with L2 weight decay and AMSGrad, AdamW (decoupled decay)", () => {
  compare(
    trajectory((ps) => new optim.Adam(ps, { lr: 0.1 })),
    adamRule(0.1, 0.9, 0.999, 1e-8, 0, false, false),
  );
  compare(
    trajectory((ps) => new optim.Adam(ps, { lr: 0.05, betas: [0.8, 0.99], weightDecay: 0.1, amsgrad: true })),
    adamRule(0.05, 0.8, 0.99, 1e-8, 0.1, false, true),
  );
  compare(
    trajectory((ps) => new optim.AdamW(ps, { lr: 0.1, weightDecay: 0.5 })),
    adamRule(0.1, 0.9, 0.999, 1e-8, 0.5, true, false),
  );
  // the first Adam step moves each weight by lr·sign(g) (up to ε): m̂ = g, v̂ = g²
  const first = trajectory((ps) => new optim.Adam(ps, { lr: 0.1 }), 1)[0] as number[];
  assertClose(first, [0.8 - 0.1, -1.2 + 0.1, 0.4 - 0.1], { rtol: 1e-6 });
});

test("RMSprop (plain, centered with momentum) and Adagrad (with lr decay)", () => {
  const rms = (lr: number, alpha: number, eps: number, mom: number, centered: boolean, wd: number) =>
    naive((w, g0, _t, s) => {
      const sq = (s.sq ??= zeros3());
      const ga = (s.ga ??= zeros3());
      const buf = (s.buf ??= zeros3());
      for (let i = 0; i < 3; i++) {
        const g = (g0[i] as number) + wd * (w[i] as number);
        sq[i] = alpha * (sq[i] as number) + (1 - alpha) * g * g;
        let avg: number;
        if (centered) {
          ga[i] = alpha * (ga[i] as number) + (1 - alpha) * g;
          avg = Math.sqrt((sq[i] as number) - (ga[i] as number) ** 2) + eps;
        } else avg = Math.sqrt(sq[i] as number) + eps;
        if (mom > 0) {
          buf[i] = mom * (buf[i] as number) + g / avg;
          w[i] = (w[i] as number) - lr * (buf[i] as number);
        } else w[i] = (w[i] as number) - (lr * g) / avg;
      }
    });
  compare(
    trajectory((ps) => new optim.RMSprop(ps, { lr: 0.01 })),
    rms(0.01, 0.99, 1e-8, 0, false, 0),
  );
  compare(
    trajectory(
      (ps) => new optim.RMSprop(ps, { lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.1 }),
    ),
    rms(0.01, 0.9, 1e-8, 0.5, true, 0.1),
  );
  const adagrad = (lr: number, decay: number, init: number) =>
    naive((w, g0, t, s) => {
      const sum = (s.sum ??= [init, init, init]);
      for (let i = 0; i < 3; i++) {
        const g = g0[i] as number;
        sum[i] = (sum[i] as number) + g * g;
        w[i] = (w[i] as number) - ((lr / (1 + (t - 1) * decay)) * g) / (Math.sqrt(sum[i] as number) + 1e-10);
      }
    });
  compare(
    trajectory((ps) => new optim.Adagrad(ps, { lr: 0.1, lrDecay: 0.5, initialAccumulatorValue: 0.2 })),
    adagrad(0.1, 0.5, 0.2),
  );
});

test("parameter groups keep their own hyperparameters; parameters without a gradient are skipped", () => {
  nb.tidy(() => {
    const a = nn.parameter(nb.tensor([1, 1], { dtype: "float64" }));
    const b = nn.parameter(nb.tensor([1, 1], { dtype: "float64" }));
    const c = nn.parameter(nb.tensor([1, 1], { dtype: "float64" }));
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }, { params: [c] }], { lr: 0.1 });
    setGrad(a, (w) => w.sum());
    setGrad(b, (w) => w.sum());
    opt.step();
    assertClose(a.dataSync(), [0.9, 0.9]);
    assertClose(b.dataSync(), [0.5, 0.5]);
    assertClose(c.dataSync(), [1, 1]);
    assert.throws(() => new optim.SGD([a, a], { lr: 0.1 }), /more than one group/);
    assert.throws(() => new optim.Adam([a], { lr: -1 }), /learning rate/);
    assert.throws(() => new optim.SGD([a], { lr: 0.1, nesterov: true }), /Nesterov/);
    opt.dispose();
    for (const p of [a, b, c]) p.dispose();
  });
});

/** The lrs a schedule sets over `n` epochs (epoch 0 first). */
function lrs(make: (o: optim.Optimizer<optim.BaseHyper>) => optim.LRScheduler, n: number, lr = 1): number[] {
  const p = nn.parameter(nb.tensor([0]));
  const opt = new optim.SGD([p], { lr });
  const s = make(opt);
  const out: number[] = [];
  for (let e = 0; e < n; e++) {
    out.push(opt.paramGroups[0]?.lr as number);
    assert.deepEqual(s.getLr(), [opt.paramGroups[0]?.lr]);
    s.step();
  }
  p.dispose();
  return out;
}

test("StepLR, ExponentialLR, CosineAnnealingLR and LinearWarmup give the hand-computed lr sequences", () => {
  assertClose(
    lrs((o) => new optim.StepLR(o, 2, { gamma: 0.5 }), 6),
    [1, 1, 0.5, 0.5, 0.25, 0.25],
  );
  assertClose(
    lrs((o) => new optim.ExponentialLR(o, 0.9), 4, 0.1),
    [0.1, 0.09, 0.081, 0.0729],
  );
  const c45 = (1 + Math.SQRT1_2) / 2; // (1 + cos(π/4)) / 2
  assertClose(
    lrs((o) => new optim.CosineAnnealingLR(o, 4), 5),
    [1, c45, 0.5, 1 - c45, 0],
  );
  assertClose(
    lrs((o) => new optim.CosineAnnealingLR(o, 2, { etaMin: 0.1 }), 3, 0.5),
    [0.5, 0.3, 0.1],
  );
  assertClose(
    lrs((o) => new optim.LinearWarmup(o, 4), 6),
    [0, 0.25, 0.5, 0.75, 1, 1],
  );
  assertClose(
    lrs(
      (o) => new optim.LinearWarmup(o, 2, { startFactor: 0.5, after: new optim.StepLR(o, 1, { gamma: 0.5 }) }),
      5,
      0.2,
    ),
    [0.1, 0.15, 0.2, 0.1, 0.05],
  );
});

test("the optimizer steps with the lr the schedule set", () => {
  nb.tidy(() => {
    const w = nn.parameter(nb.tensor([1], { dtype: "float64" }));
    const opt = new optim.SGD([w], { lr: 1 });
    const sched = new optim.StepLR(opt, 1, { gamma: 0.1 });
    const expected = [1];
    for (const lr of [1, 0.1, 0.01]) {
      setGrad(w, (x) => x.sum()); // gradient 1
      opt.step();
      sched.step();
      expected.push((expected[expected.length - 1] as number) - lr);
      assertClose(w.dataSync(), [expected[expected.length - 1] as number], { rtol: 1e-12 });
    }
    opt.dispose();
    w.dispose();
  });
});

test("clipGradNorm returns the total norm and rescales only above maxNorm (2, 1 and ∞ norms)", () => {
  nb.tidy(() => {
    const a = nn.parameter(nb.tensor([0, 0], { dtype: "float64" }));
    const b = nn.parameter(nb.tensor([0], { dtype: "float64" }));
    const reset = (): void => {
      a.grad = nb.tensor([3, 4], { dtype: "float64" });
      b.grad = nb.tensor([12], { dtype: "float64" });
    };
    reset();
    assertClose([optim.clipGradNorm([a, b], 100)], [13]);
    assertClose(a.grad?.dataSync() ?? [], [3, 4]);
    const total = optim.clipGradNorm([a, b], 6.5);
    assertClose([total], [13]);
    const k = 6.5 / (13 + 1e-6);
    assertClose(a.grad?.dataSync() ?? [], [3 * k, 4 * k], { rtol: 1e-12 });
    assertClose(b.grad?.dataSync() ?? [], [12 * k], { rtol: 1e-12 });
    reset();
    assertClose([optim.clipGradNorm([a, b], 100, { normType: 1 })], [19]);
    assertClose([optim.clipGradNorm([a, b], 6, { normType: Infinity })], [12]);
    assertClose(b.grad?.dataSync() ?? [], [(12 * 6) / (12 + 1e-6)], { rtol: 1e-12 });
    reset();
    optim.clipGradValue([a, b], 3.5);
    assertClose(a.grad?.dataSync() ?? [], [3, 3.5]);
    assertClose(b.grad?.dataSync() ?? [], [3.5]);
    a.dispose();
    b.dispose();
  });
});

test("optimizer stateDict → loadStateDict continues the same trajectory", () => {
  nb.tidy(() => {
    const w1 = nn.parameter(nb.tensor(W0, { dtype: "float64" }));
    const o1 = new optim.Adam([w1], { lr: 0.1, amsgrad: true });
    for (let t = 0; t < 2; t++) {
      setGrad(w1, lossOf);
      o1.step();
    }
    const saved = o1.stateDict();
    assert.equal(saved.state[0]?.step, 2);
    assert.deepEqual(saved.paramGroups[0]?.params, [0]);
    assert.deepEqual(Object.keys(saved.state[0] ?? {}).sort(), ["expAvg", "expAvgSq", "maxExpAvgSq", "step"]);
    const w2 = nn.parameter(w1);
    const o2 = new optim.Adam([w2], { lr: 0.5 });
    o2.loadStateDict(saved);
    assert.equal(o2.paramGroups[0]?.lr, 0.1);
    assert.equal(o2.paramGroups[0]?.amsgrad, true);
    for (const [w, o] of [
      [w1, o1],
      [w2, o2],
    ] as const) {
      setGrad(w, lossOf);
      o.step();
    }
    assertClose(w2.dataSync(), w1.dataSync(), { rtol: 0, atol: 0 });
    assert.throws(() => new optim.Adam([w2, w1]).loadStateDict(saved), /1 parameters|2 parameters/);
    for (const x of [o1, o2]) x.dispose();
    for (const x of [w1, w2]) x.dispose();
  });
});

leakFreeTest("optimizer steps do not leak buffers (state tensors are replaced, not accumulated)", () => {
  const w = nn.parameter(nb.tensor(W0, { dtype: "float64" }));
  const counts: number[] = [];
  for (const make of [
    (p: nb.Tensor[]) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 }),
    (p: nb.Tensor[]) => new optim.Adam(p, { amsgrad: true }),
    (p: nb.Tensor[]) => new optim.AdamW(p),
    (p: nb.Tensor[]) => new optim.RMSprop(p, { centered: true, momentum: 0.5 }),
    (p: nb.Tensor[]) => new optim.Adagrad(p),
  ]) {
    const opt = make([w]);
    const per: number[] = [];
    for (let t = 0; t < 4; t++) {
      nb.tidy(() => {
        setGrad(w, lossOf);
        opt.step();
      });
      per.push(nb.memory().buffers);
    }
    counts.push(...per.slice(1).map((c) => c - (per[0] as number)));
    opt.dispose();
  }
  assert.deepEqual(
    counts,
    counts.map(() => 0),
    "live buffers grew across steps",
  );
  w.dispose();
});

test("training with loss.backward() does not leak buffers across steps", () => {
  const w = nn.parameter(nb.tensor(W0, { dtype: "float64" }));
  const opt = new optim.SGD([w], { lr: 0.1 });
  const counts: number[] = [];
  for (let t = 0; t < 4; t++) {
    nb.tidy(() => {
      opt.zeroGrad();
      lossOf(w).backward();
      opt.step();
    });
    counts.push(nb.memory().buffers);
  }
  opt.zeroGrad();
  opt.dispose();
  w.dispose();
  assert.equal(counts[3], counts[0]);
});
