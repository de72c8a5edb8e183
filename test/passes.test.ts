// The graph compiler: passes keep values on random graphs, never grow them and are idempotent;
// the named rewrites; fusion; the memory plan and its verifier; jit replay; explain().
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import * as nb from "../src/index.js";
import { PASSES, optimize } from "../src/graph/pipeline.js";
import { countNodes } from "../src/graph/rewrite.js";
import { verifyPlan, type MemoryPlan } from "../src/kernel/memory.js";
import type { Node } from "../src/graph/node.js";
import { assertClose } from "./util.js";

type Op = (ts: nb.Tensor[]) => nb.Tensor;
const pick = (ts: nb.Tensor[], i: number): nb.Tensor => ts[i % ts.length] as nb.Tensor;

/** Building blocks of random graphs, chosen to include what the passes rewrite. */
const OPS: ((i: number, j: number, c: number) => Op)[] = [
  (i, j) => (ts) => pick(ts, i).add(pick(ts, j)),
  (i, j) => (ts) => pick(ts, i).mul(pick(ts, j)),
  (i, j) => (ts) => pick(ts, i).sub(pick(ts, j)),
  (i, _j, c) => (ts) => pick(ts, i).mul(c),
  (i, _j, c) => (ts) => pick(ts, i).add(c),
  (i, _j, c) => (ts) => pick(ts, i).sub(c),
  (i) => (ts) => pick(ts, i).mul(1),
  (i) => (ts) => pick(ts, i).add(0),
  (i) => (ts) => pick(ts, i).neg().neg(),
  (i) => (ts) => pick(ts, i).tanh(),
  (i) => (ts) => pick(ts, i).clamp(-3, 3).exp().log(),
  (i) => (ts) => pick(ts, i).transpose().transpose(),
  (i) => (ts) => pick(ts, i).reshape([-1]).reshape([3, 4]),
  (i) => (ts) => pick(ts, i).sum(1, true).expand([3, 4]),
  (i, j) => (ts) => nb.where(pick(ts, i).gt(0), pick(ts, j), pick(ts, j)),
  (i) => (ts) => pick(ts, i).stopGradient(),
];

const graphArb = fc.array(
  fc.tuple(fc.nat(OPS.length - 1), fc.nat(20), fc.nat(20), fc.constantFrom(0, 1, 2, -1, 0.5, 3)),
  { minLength: 1, maxLength: 14 },
);

function buildGraph(spec: [number, number, number, number][], inputs: nb.Tensor[]): nb.Tensor {
  const ts = [...inputs];
  for (const [o, i, j, c] of spec) ts.push((OPS[o] as (i: number, j: number, c: number) => Op)(i, j, c)(ts));
  return ts[ts.length - 1] as nb.Tensor;
}

const inputs = (): nb.Tensor[] => [0, 1].map((s) => nb.randn([3, 4], { key: nb.random.key(s), dtype: "float64" }));

test("passes keep values, never grow the graph, and are idempotent (random graphs)", () => {
  fc.assert(
    fc.property(graphArb, (spec) => {
      nb.tidy(() => {
        const xs = inputs();
        xs.forEach((x) => x.realize());
        const out = buildGraph(spec, xs);
        const once = optimize([out.node], 2);
        assert.ok(once.nodesAfter <= once.nodesBefore, `grew from ${once.nodesBefore} to ${once.nodesAfter}`);
        const twice = optimize(once.roots, 2);
        assert.equal(twice.rewrites.length, 0, `second run rewrote: ${JSON.stringify(twice.rewrites)}`);
        assert.equal(twice.roots[0], once.roots[0]);
        // evaluate before (O0: no passes) and after (O2) on the js backend
        const ref = nb.tensor(out.detach().dataSync(), { dtype: "float64", shape: out.shape });
        const a = nb.jit((...t: nb.Tensor[]) => buildGraph(spec, t), { optLevel: 0 })(...xs);
        const b = nb.jit((...t: nb.Tensor[]) => buildGraph(spec, t), { optLevel: 2 })(...xs);
        assertClose(b.dataSync(), a.dataSync(), { rtol: 1e-12, atol: 1e-12 });
        assertClose(ref.dataSync(), a.dataSync(), { rtol: 1e-12, atol: 1e-12 });
      });
    }),
    { numRuns: 60 },
  );
});

test("each pass on its own keeps values, never grows the graph, and is idempotent", () => {
  for (const pass of PASSES) {
    fc.assert(
      fc.property(graphArb, (spec) => {
        nb.tidy(() => {
          const xs = inputs();
          xs.forEach((x) => x.realize());
          const out = buildGraph(spec, xs);
          const once = optimize([out.node], 2, [pass]);
          assert.ok(once.nodesAfter <= once.nodesBefore, `${pass.name} grew the graph`);
          const twice = optimize(once.roots, 2, [pass]);
          assert.equal(twice.rewrites.length, 0, `${pass.name} not idempotent: ${JSON.stringify(twice.rewrites)}`);
          const want = out.dataSync();
          const got = new nb.Tensor(once.roots[0] as Node).dataSync();
          assertClose(got, want, { rtol: 1e-12, atol: 1e-12 }, pass.name);
        });
      }),
      { numRuns: 25 },
    );
  }
});

const opsAfter = (t: nb.Tensor): string[] =>
  nb
    .explain(t)
    .toJSON()
    .graph.after.nodes.map((n) => n.op)
    .filter((op) => op !== "full" && op !== "const");

test("x*1+0 leaves no op", () => {
  const x = nb.tensor([1, 2, 3]);
  const r = nb.explain(x.mul(1).add(0)).toJSON();
  assert.deepEqual(opsAfter(x.mul(1).add(0)), []);
  assert.deepEqual(r.rewrites.map((w) => w.rule).sort(), ["add-zero", "mul-by-one"]);
  assert.equal(r.kernels.length, 0);
});

test("((x*2)*2)*2 becomes one multiply by 8", () => {
  const x = nb.tensor([1, 2, 3]);
  const y = x.mul(2).mul(2).mul(2);
  const after = nb.explain(y).toJSON().graph.after.nodes;
  const muls = after.filter((n) => n.op === "mul");
  assert.equal(muls.length, 1);
  const c = after.find((n) => n.id === muls[0]?.inputs[1]);
  assert.equal(c?.params["value"], 8);
  assertClose(y.dataSync(), [8, 16, 24]);
});

test("a repeated subexpression is computed once", () => {
  const x = nb.tensor([0.5, 1.5]);
  const y = nb.tensor([2, 3]);
  // the same product written twice, in both operand orders
  const z = x.exp().mul(y).add(y.mul(x.exp()));
  const ops = opsAfter(z);
  assert.equal(ops.filter((o) => o === "exp").length, 1);
  assert.equal(ops.filter((o) => o === "mul").length, 1);
  assertClose(
    z.dataSync(),
    [0.5, 1.5].map((v, i) => 2 * Math.exp(v) * [2, 3][i]!),
    { rtol: 1e-6 },
  );
});

test("gradient graphs simplify: d/dx of sum(3x) folds to a constant", () => {
  const g = nb.grad((t: nb.Tensor) => t.mul(3).sum())(nb.tensor([1, 2]));
  assert.deepEqual(opsAfter(g), []);
  assertClose(g.dataSync(), [3, 3]);
});

test("fusion: an elementwise chain is one kernel, softmax takes three, O0 takes one per op", () => {
  const x = nb.randn([4, 8]);
  x.realize();
  const chain = x.mul(2).add(1).relu().mul(x.sigmoid()).sub(x.mul(0.5));
  assert.equal(nb.explain(chain).toJSON().kernels.length, 1);
  assert.equal(nb.explain(nb.softmax(x, -1)).toJSON().kernels.length, 3);
  const mu = x.mean(-1, true);
  const layerNorm = x.sub(mu).div(x.sub(mu).square().mean(-1, true).add(1e-5).sqrt());
  assert.ok(nb.explain(layerNorm).toJSON().kernels.length <= 3);
  const o0 = nb.explain(x.mul(2).add(1).exp(), { optLevel: 0 }).toJSON().kernels.length;
  assert.equal(o0, 3);
});

test("the memory plan reuses buffers and the verifier rejects overlapping lifetimes", () => {
  const x = nb.randn([64]);
  x.realize();
  let y = x;
  for (let i = 0; i < 6; i++) y = y.mul(y.sum()).tanh(); // a reduction per step: several buffers
  const m = nb.explain(y).toJSON().memory;
  assert.ok(m.peakBytes < m.naiveBytes, `peak ${m.peakBytes} should be below ${m.naiveBytes}`);
  const fake = { node: {} as Node };
  const bad: MemoryPlan = {
    slots: [{ id: 0, bytes: 4 }],
    intervals: [
      { ...fake, def: 0, end: 3, slot: 0 },
      { ...fake, def: 1, end: 2, slot: 0 },
    ],
    inPlace: [],
    peakBytes: 4,
    naiveBytes: 8,
  };
  assert.throws(() => verifyPlan(bad), /slot 0 holds two live values/);
});

test("jit: replay equals eager, one trace per signature, a new shape retraces", () => {
  const f = (a: nb.Tensor, b: nb.Tensor) => ({ s: a.matmul(b).tanh().sum(0), p: a.mul(2) });
  const jf = nb.jit(f);
  for (let i = 0; i < 3; i++) {
    const a = nb.randn([3, 4]);
    const b = nb.randn([4, 5]);
    const got = jf(a, b);
    const want = f(a, b);
    assertClose(got.s.dataSync(), want.s.dataSync(), { rtol: 1e-5 });
    assertClose(got.p.dataSync(), want.p.dataSync());
  }
  assert.equal(jf.traces, 1);
  jf(nb.randn([2, 4]), nb.randn([4, 5]));
  assert.equal(jf.traces, 2);
});

test("jit: a training step with donated parameters learns and leaks nothing", () => {
  const X = nb.randn([32, 3], { key: nb.random.key(1) });
  const Y = X.matmul(nb.tensor([[1], [-2], [0.5]]));
  const step = nb.jit(
    (w: nb.Tensor) => {
      const [l, g] = nb.valueAndGrad((v: nb.Tensor) => X.matmul(v).sub(Y).square().mean())(w);
      return [w.sub((g as nb.Tensor).mul(0.2)), l] as const;
    },
    { donate: [0] },
  );
  let w = nb.zeros([3, 1]).realize();
  const before = nb.memory().buffers;
  let loss = Infinity;
  for (let i = 0; i < 200; i++) {
    const [w2, l] = step(w);
    loss = l.item() as number;
    l.dispose();
    assert.ok(w.isDisposed, "a donated argument is disposed by the call");
    w = w2;
  }
  assert.ok(loss < 1e-6, `loss ${loss}`);
  assertClose(w.dataSync(), [1, -2, 0.5], { rtol: 1e-3, atol: 1e-3 });
  assert.equal(nb.memory().buffers, before, "buffers leaked across steps");
  assert.equal(step.traces, 1);
});

test("explain(): text, JSON with the documented fields, and Graphviz DOT", () => {
  const x = nb.tensor([1, 2, 3]);
  const r = nb.jit((t: nb.Tensor) => t.mul(2).mul(2).exp().sum()).explain(x);
  const j = r.toJSON();
  assert.ok(j.graph.before.nodes.every((n) => typeof n.op === "string"));
  assert.ok(j.graph.after.nodes.some((n) => n.op === "exp"));
  assert.deepEqual(j.rewrites, [{ rule: "reassociate-mul", count: 1 }]);
  assert.ok(j.kernels.length >= 1 && j.kernels.every((k) => k.name && k.source.includes("kernel")));
  assert.equal(typeof j.memory.peakBytes, "number");
  assert.match(r.toString(), /rewrites:\n {2}reassociate-mul ×1/);
  assert.match(r.toDot(), /^digraph nabla \{[\s\S]*cluster_0[\s\S]*\}$/);
  assert.ok(countNodes([x.node]) === 0);
});

test("explain(): the graph renders to SVG where Graphviz is installed", async () => {
  const { spawnSync } = await import("node:child_process");
  const hasDot = spawnSync("dot", ["-V"]).status === 0;
  const svg = await nb.explain(nb.tensor([1, 2]).mul(2).exp().sum()).toSVG();
  if (hasDot) assert.match(svg ?? "", /<svg[\s\S]*cluster_0[\s\S]*<\/svg>/);
  else assert.equal(svg, null);
});
