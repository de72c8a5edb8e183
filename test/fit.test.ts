// fit(): a small CNN learns a synthetic image task with the compiled training step.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as nb from "../src/index.js";
import { fit, permutation } from "../src/train/fit.js";

/** 8×8 images; the label says whether the left half is brighter than the right. */
function data(n: number, seed: number): { x: nb.Tensor; y: nb.Tensor } {
  const x = nb.rand([n, 1, 8, 8], { key: nb.random.key(seed) });
  const left = x.at("..., :4").mean([1, 2, 3]);
  const right = x.at("..., 4:").mean([1, 2, 3]);
  return { x: x.realize(), y: left.gt(right).astype("int32").realize() };
}

test("permutation is a seeded shuffle of 0…n-1", () => {
  const p = permutation(100, 3);
  assert.deepEqual(
    [...p].sort((a, b) => a - b),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.deepEqual(permutation(100, 3), p);
  assert.notDeepEqual(permutation(100, 4), p);
});

test("fit trains a small CNN to high held-out accuracy and reports each epoch", async () => {
  nb.seed(0);
  const model = new nb.nn.Sequential(
    new nb.nn.Conv2d(1, 4, 3, { padding: 1 }),
    new nb.nn.ReLU(),
    new nb.nn.MaxPool2d(2),
    new nb.nn.Flatten(),
    new nb.nn.Linear(64, 2),
  );
  const lines: string[] = [];
  const epochs: number[] = [];
  const history = await fit(model, data(512, 1), data(256, 2), {
    epochs: 8,
    batchSize: 32,
    lr: 0.02,
    seed: 1,
    write: (s) => lines.push(s),
    onEpoch: (s) => void epochs.push(s.epoch),
  });
  assert.deepEqual(epochs, [1, 2, 3, 4, 5, 6, 7, 8]);
  const last = history[history.length - 1] as (typeof history)[number];
  assert.ok(last.testAcc > 0.9, `held-out accuracy ${JSON.stringify(history.map((h) => h.testAcc))}`);
  assert.ok(last.trainLoss < (history[0] as (typeof history)[number]).trainLoss);
  assert.ok(lines.some((l) => /epoch 8\/8 \[=+\] 16\/16 loss \d\.\d+ acc \d+\.\d% \d+ samples\/s/.test(l)));
});
