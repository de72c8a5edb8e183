// O3: the js backend's generated-code variant agrees bit for bit with the interpreter, autotuning
// picks a variant per kernel, and its choices persist through the tuning store.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as nb from "../src/index.js";

const cases: [string, () => nb.Tensor][] = [
  [
    "elementwise chain",
    () =>
      nb
        .randn([5, 7], { key: nb.random.key(1) })
        .mul(2)
        .add(1)
        .relu()
        .mul(nb.randn([7], { key: nb.random.key(2) }).sigmoid()),
  ],
  [
    "float64 transcendentals",
    () =>
      nb
        .rand([4, 6], { key: nb.random.key(3), dtype: "float64" })
        .add(0.1)
        .log()
        .exp()
        .erf()
        .tanh(),
  ],
  ["int32 arithmetic with wrap-around", () => nb.arange(12).reshape([3, 4]).mul(2147483).add(7).mod(13)],
  ["bool logic", () => nb.arange(10).gt(3).logicalAnd(nb.arange(10).lt(8)).logicalNot()],
  [
    "sum and max over axes",
    () =>
      nb
        .randn([3, 4, 5], { key: nb.random.key(4) })
        .sum([0, 2])
        .add(
          nb
            .randn([3, 4, 5], { key: nb.random.key(5) })
            .max(1)
            .sum(),
        ),
  ],
  [
    "argmax with ties",
    () =>
      nb
        .tensor([
          [1, 3, 3],
          [2, 2, 1],
        ])
        .argmax(1),
  ],
  [
    "matmul as a reduction",
    () => nb.randn([6, 5], { key: nb.random.key(6) }).matmul(nb.randn([5, 3], { key: nb.random.key(7) })),
  ],
  [
    "strided and flipped views",
    () =>
      nb
        .randn([4, 6], { key: nb.random.key(8) })
        .transpose()
        .mul(nb.arange(4).astype("float32")),
  ],
  ["cumsum", () => nb.randn([3, 8], { key: nb.random.key(9) }).cumsum(1)],
];

for (const [name, make] of cases) {
  test(`generated code equals the interpreter: ${name}`, () => {
    const prev = nb.getBackend();
    nb.setBackend("js");
    nb.tidy(() => {
      const ref = nb.jit(make, { optLevel: 2 })();
      const tuned = nb.jit(make, { optLevel: 3 })();
      assert.deepEqual(Array.from(tuned.dataSync()), Array.from(ref.dataSync()));
    });
    nb.setBackend(prev);
  });
}

test("autotuning chooses a variant per kernel and keeps choices in the store", () => {
  const prev = nb.getBackend();
  nb.setBackend("js"); // the backend whose kernels have two variants
  let saved: Record<string, string> = {};
  let saves = 0;
  nb.setTuningStore({ load: () => ({ ...saved }), save: (c) => ((saved = { ...c }), saves++) });
  try {
    const f = (t: nb.Tensor) => t.mul(3).tanh().sum(0);
    const x = nb.randn([16, 16]);
    nb.jit(f, { optLevel: 3 })(x).dispose();
    assert.equal(saves, 1);
    const keys = Object.keys(saved);
    assert.ok(keys.length >= 1 && keys.every((k) => k.startsWith("js:")));
    assert.ok(Object.values(saved).every((v) => v === "closure" || v === "codegen"));
    // a fresh process (a store that loads the saved choices) tunes nothing again
    nb.setTuningStore({ load: () => ({ ...saved }), save: () => saves++ });
    nb.jit(f, { optLevel: 3 })(x).dispose();
    assert.equal(saves, 1);
  } finally {
    nb.setTuningStore(undefined);
    nb.setBackend(prev);
  }
});
