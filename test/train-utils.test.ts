// The progress bar and the training-curve plot.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Progress, formatDuration, progressLine } from "../src/train/progress.js";
import { plotSvg } from "../src/train/plot.js";

test("a progress line shows the bar, counts, metrics, throughput and ETA", () => {
  const line = progressLine({
    label: "epoch 1/2",
    done: 5,
    total: 10,
    width: 10,
    metrics: { loss: 0.31234, acc: 0.912 },
    samplesPerSec: 512.4,
    eta: 75,
  });
  assert.equal(line, "epoch 1/2 [====>     ] 5/10 loss 0.3123 acc 91.2% 512 samples/s ETA 01:15");
  assert.equal(formatDuration(3725), "1:02:05");
  assert.equal(formatDuration(Infinity), "--:--");
});

test("Progress writes a final line with every step counted", () => {
  const out: string[] = [];
  const p = new Progress({ total: 3, label: "train", write: (s) => out.push(s), inPlace: false, interval: 1e9 });
  p.update(1, 32, { loss: 1 });
  p.update(1, 32, { loss: 0.5 });
  p.update(1, 32, { loss: 0.25 });
  assert.equal(out.length, 1, "intermediate updates within the interval are not printed");
  assert.match(out[0] ?? "", /^train \[=+\] 3\/3 loss 0\.2500 \d+ samples\/s ETA 00:00\n$/);
});

test("plotSvg draws one path per series and labels percent axes", () => {
  const svg = plotSvg(
    [
      {
        title: "loss",
        series: [
          {
            name: "train",
            points: [
              [1, 0.9],
              [2, 0.5],
              [3, 0.2],
            ],
          },
          {
            name: "test",
            points: [
              [1, 1],
              [2, 0.6],
              [3, 0.3],
            ],
          },
        ],
      },
      {
        title: "accuracy",
        percent: true,
        series: [
          {
            name: "test",
            points: [
              [1, 0.8],
              [2, 0.9],
              [3, 0.95],
            ],
          },
        ],
      },
    ],
    { xLabel: "epoch" },
  );
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal((svg.match(/<path /g) ?? []).length, 3);
  assert.match(svg, />90%</);
  assert.match(svg, />epoch</);
});
