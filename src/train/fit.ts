// Supervised training a person can watch: a whole step (forward, loss, backward, Adam update)
// compiled once with jit and its parameters donated, seeded shuffling, a progress bar per epoch,
// evaluation on held-out data, and a history for plotting.
import { ValueError } from "../core/errors.js";
import type { Module } from "../nn/module.js";
import { functionalCall } from "../nn/module.js";
import { adam, type AdamState } from "../optim/functional.js";
import { valueAndGrad } from "../tensor/autodiff.js";
import { tensor } from "../tensor/convert.js";
import { take } from "../tensor/indexing.js";
import { jit } from "../tensor/jit.js";
import { dispose, tidy } from "../tensor/memory.js";
import { crossEntropy } from "../tensor/nn.js";
import type { Tensor } from "../tensor/tensor.js";
import { Progress } from "./progress.js";

export type Params = Record<string, Tensor>;

export interface EpochStats {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  testLoss: number;
  testAcc: number;
  seconds: number;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  seed?: number;
  /** Epochs already done (when resuming); numbering continues from there. */
  startEpoch?: number;
  /** Optimizer state to resume from. */
  optState?: AdamState<Params>;
  /** Called after each epoch with the stats and the current parameters and optimizer state. */
  onEpoch?: (stats: EpochStats, params: Params, optState: AdamState<Params>) => void | Promise<void>;
  write?: (s: string) => void;
}

export interface Data {
  x: Tensor;
  /** int32 class labels. */
  y: Tensor;
}

/** A seeded permutation of 0…n-1 (xorshift + Fisher–Yates), different for each epoch. */
export function permutation(n: number, seed: number): Int32Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [p[i], p[j]] = [p[j] as number, p[i] as number];
  }
  return p;
}

/** Loss and accuracy of `model` on `data`, in batches. */
export function evaluate(model: Module, data: Data, batchSize = 500): { loss: number; acc: number } {
  const n = data.x.shape[0] ?? 0;
  const step = jit((params: Params, x: Tensor, y: Tensor) => {
    const logits = functionalCall(model, params, x);
    return [crossEntropy(logits, y, { reduction: "sum" }), logits.argmax(1).eq(y).astype("float32").sum()] as const;
  });
  const params = Object.fromEntries(model.namedParameters());
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i += batchSize) {
    tidy(() => {
      const idx = tensor(Int32Array.from({ length: Math.min(batchSize, n - i) }, (_, k) => i + k));
      const [l, c] = step(params, take(data.x, idx, 0), take(data.y, idx, 0));
      loss += l.item() as number;
      correct += c.item() as number;
    });
  }
  return { loss: loss / n, acc: correct / n };
}

/** Trains `model` with Adam on (x, y) batches; returns the per-epoch history. */
export async function fit(model: Module, train: Data, test: Data, o: FitOptions): Promise<EpochStats[]> {
  const n = train.x.shape[0] ?? 0;
  if (n === 0 || (train.y.shape[0] ?? 0) !== n)
    throw new ValueError("fit", `expected as many labels as inputs, got ${train.y.shape[0]} for ${n}`);
  const opt = adam<Params>({ lr: o.lr });
  let params: Params = Object.fromEntries(model.namedParameters().map(([k, t]) => [k, t.detach()]));
  let state = o.optState ?? opt.init(params);
  const lossAndGrad = valueAndGrad(
    (p: Params, x: Tensor, y: Tensor) => {
      const logits = functionalCall(model, p, x);
      return [crossEntropy(logits, y), logits] as const;
    },
    { hasAux: true },
  );
  const step = jit(
    (p: Params, s: AdamState<Params>, x: Tensor, y: Tensor) => {
      const [[loss, logits], g] = lossAndGrad(p, x, y) as [[Tensor, Tensor], Params];
      const [p2, s2] = opt.update(p, g, s);
      return [p2, s2, loss, logits.argmax(1).eq(y).astype("float32").sum()] as const;
    },
    { donate: [0, 1] },
  );
  const history: EpochStats[] = [];
  const batches = Math.floor(n / o.batchSize);
  const first = (o.startEpoch ?? 0) + 1;
  for (let epoch = first; epoch < first + o.epochs; epoch++) {
    const t0 = performance.now();
    const perm = permutation(n, (o.seed ?? 0) * 1000 + epoch);
    const bar = new Progress({
      total: batches,
      label: `epoch ${epoch}/${first + o.epochs - 1}`,
      ...(o.write ? { write: o.write } : {}),
    });
    let lossSum = 0;
    let correct = 0;
    for (let b = 0; b < batches; b++) {
      const idx = tensor(perm.subarray(b * o.batchSize, (b + 1) * o.batchSize));
      const xb = take(train.x, idx, 0);
      const yb = take(train.y, idx, 0);
      const [p2, s2, loss, corr] = step(params, state, xb, yb);
      params = p2;
      state = s2;
      lossSum += (loss.item() as number) * o.batchSize;
      correct += corr.item() as number;
      dispose([idx, xb, yb, loss, corr]);
      const seen = (b + 1) * o.batchSize;
      bar.update(1, o.batchSize, { loss: lossSum / seen, acc: correct / seen });
    }
    for (const [k, t] of model.namedParameters()) t.assign(params[k] as Tensor);
    const ev = evaluate(model, test);
    const stats = {
      epoch,
      trainLoss: lossSum / (batches * o.batchSize),
      trainAcc: correct / (batches * o.batchSize),
      testLoss: ev.loss,
      testAcc: ev.acc,
      seconds: (performance.now() - t0) / 1000,
    };
    history.push(stats);
    await o.onEpoch?.(stats, params, state);
  }
  return history;
}
