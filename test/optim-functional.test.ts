// The pure Adam update agrees with the published rule (naive float64 re-implementation) and runs
// inside nb.jit with donated state.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as nb from "../src/index.js";
import { assertClose } from "./util.js";

/** Adam / AdamW by the book, in float64. */
function reference(p0: number[], grad: (p: number[]) => number[], steps: number, lr: number, wd: number): number[] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  for (let t = 1; t <= steps; t++) {
    const g = grad(p);
    for (let i = 0; i < p.length; i++) {
      p[i] = (p[i] as number) * (1 - lr * wd);
      m[i] = b1 * (m[i] as number) + (1 - b1) * (g[i] as number);
      v[i] = b2 * (v[i] as number) + (1 - b2) * (g[i] as number) ** 2;
      const mh = (m[i] as number) / (1 - b1 ** t);
      const vh = (v[i] as number) / (1 - b2 ** t);
      p[i] = (p[i] as number) - (lr * mh) / (Math.sqrt(vh) + eps);
    }
  }
  return p;
}

for (const wd of [0, 0.1]) {
  test(`functional adam (weight decay ${wd}) matches the published update, compiled with jit`, () => {
    const p0 = [0.5, -1.5, 2];
    const target = [1, 2, 3];
    const opt = nb.optim.functional.adam<nb.Tensor>({ lr: 0.1, weightDecay: wd });
    const f = (p: nb.Tensor) =>
      p
        .sub(nb.tensor(target, { dtype: "float64" }))
        .square()
        .sum();
    const step = nb.jit(
      (p: nb.Tensor, s: ReturnType<typeof opt.init>) => {
        const g = nb.grad(f)(p);
        return opt.update(p, g, s);
      },
      { donate: [0, 1] },
    );
    let p = nb.tensor(p0, { dtype: "float64" });
    let s = opt.init(p);
    for (let t = 0; t < 4; t++) [p, s] = step(p, s);
    const want = reference(p0, (q) => q.map((x, i) => 2 * (x - (target[i] as number))), 4, 0.1, wd);
    assertClose(p.dataSync(), want, { rtol: 1e-12, atol: 1e-12 });
    assert.equal(s.t.item(), 4);
    assert.equal(step.traces, 1);
  });
}
