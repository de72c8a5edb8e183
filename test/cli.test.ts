// The nabla command: train (short mode) writes a checkpoint and curves, resume continues, eval
// and predict read the checkpoint.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { deflateSync } from "node:zlib";
import { main, parseArgs } from "../src/cli/main.js";

test("parseArgs reads the command, positionals and options", () => {
  assert.deepEqual(parseArgs(["train", "--epochs", "2", "--resume", "--lr=0.1", "x.png"]), {
    cmd: "train",
    pos: ["x.png"],
    opts: { epochs: "2", resume: true, lr: "0.1" },
  });
});

/** A grayscale PNG written by hand (independent of the library's encoder). */
function png(w: number, h: number, pixel: (x: number, y: number) => number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer): number => {
    let c = 0xffffffff;
    for (const x of b) c = (crcTable[(c ^ x) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const t = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(t));
    return Buffer.concat([len, t, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const rows = Buffer.concat(
    Array.from({ length: h }, (_, y) => Buffer.from([0, ...Array.from({ length: w }, (_, x) => pixel(x, y))])),
  );
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

test("train (short), resume, eval and predict", async () => {
  const out = mkdtempSync(join(tmpdir(), "nabla-cli-"));
  const log: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => void log.push(a.join(" "));
  try {
    assert.equal(await main(["train", "--limit", "256", "--epochs", "1", "--batch-size", "32", "--out", out]), 0);
    assert.ok(existsSync(join(out, "mnist-cnn.safetensors")));
    assert.match(readFileSync(join(out, "curves.svg"), "utf8"), /^<svg/);
    assert.ok(log.some((l) => /^epoch 1: test loss \d/.test(l)));
    assert.equal(
      await main(["train", "--limit", "256", "--epochs", "1", "--batch-size", "32", "--out", out, "--resume"]),
      0,
    );
    assert.ok(log.some((l) => /resuming from .* after epoch 1/.test(l)));
    assert.ok(log.some((l) => /^epoch 2: test loss/.test(l)));
    assert.equal(await main(["eval", "--out", out]), 0);
    assert.ok(log.some((l) => /^test digits: \d+, loss \d/.test(l)));
    const img = join(out, "digit.png");
    writeFileSync(
      img,
      png(28, 28, (x, y) => (x >= 12 && x <= 15 && y >= 4 && y <= 23 ? 255 : 0)),
    );
    assert.equal(await main(["predict", img, "--out", out]), 0);
    assert.ok(log.some((l) => /digit\.png: digit \d \(p = 0\.\d+\)/.test(l)));
    assert.equal(await main(["eval", "--out", join(out, "missing")]), 1);
  } finally {
    console.log = orig;
  }
});
