// Autodiff: first and second derivatives against finite differences, the API forms, and backward().
import assert from "node:assert/strict";
import { test } from "node:test";
import * as nb from "../src/index.js";
import { assertClose, gradCheck, hessianCheck, leakFreeTest } from "./util.js";

const xs = [-1.3, -0.2, 0.4, 1.7];

test("second derivatives of tanh, sigmoid, exp, log, x³ and softplus match finite differences", () => {
  hessianCheck((x) => x.tanh(), xs, [4]);
  hessianCheck((x) => x.sigmoid(), xs, [4]);
  hessianCheck((x) => x.exp(), xs, [4]);
  hessianCheck((x) => x.abs().add(0.5).log(), xs, [4]);
  hessianCheck((x) => x.pow(3), xs, [4]);
  hessianCheck((x) => x.softplus(), xs, [4]);
});

test("the second derivative of tanh is -2·tanh·(1-tanh²)", () => {
  const d2 = nb.grad((x: nb.Tensor) =>
    nb
      .grad((y: nb.Tensor) => y.tanh().sum())(x)
      .sum(),
  );
  const got = d2(nb.tensor(xs, { dtype: "float64" })).dataSync();
  assertClose(
    got,
    xs.map((x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2)),
    { rtol: 1e-10 },
  );
});

test("grad with argnums over several arguments and pytrees", () => {
  const f = (p: { w: nb.Tensor; b: nb.Tensor }, x: nb.Tensor) => x.matmul(p.w).add(p.b).square().sum();
  const p = {
    w: nb.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: "float64" },
    ),
    b: nb.tensor([0.5, -1], { dtype: "float64" }),
  };
  const x = nb.tensor([[1, -1]], { dtype: "float64" });
  const [gp, gx] = nb.grad(f, { argnums: [0, 1] })(p, x) as [{ w: nb.Tensor; b: nb.Tensor }, nb.Tensor];
  // y = x·W + b = [-2+0.5, -2-1] = [-1.5, -3]; dL/dy = 2y = [-3, -6]
  assertClose(gp.b.dataSync(), [-3, -6]);
  assertClose(gp.w.dataSync(), [-3, -6, 3, 6]);
  assertClose(gx.dataSync(), [-3 * 1 + -6 * 2, -3 * 3 + -6 * 4]);
});

test("valueAndGrad returns the value too; hasAux passes aux through", () => {
  const [v, g] = nb.valueAndGrad((x: nb.Tensor) => x.square().sum())(nb.tensor([3]));
  assert.equal((v as nb.Tensor).item(), 9);
  assertClose((g as nb.Tensor).dataSync(), [6]);
  const [g2, aux] = nb.grad((x: nb.Tensor) => [x.sum(), "aux"], { hasAux: true })(nb.tensor([1, 2])) as [
    nb.Tensor,
    string,
  ];
  assert.equal(aux, "aux");
  assertClose(g2.dataSync(), [1, 1]);
});

test("vjp and jvp agree with the Jacobian of an elementwise map", () => {
  const x = nb.tensor([0.3, -0.7], { dtype: "float64" });
  const [y, back] = nb.vjp((t) => t.sin().mul(t), x);
  const dydx = [0.3, -0.7].map((v) => Math.cos(v) * v + Math.sin(v));
  assertClose(
    y.dataSync(),
    [0.3, -0.7].map((v) => Math.sin(v) * v),
  );
  assertClose((back(nb.tensor([1, 2], { dtype: "float64" }))[0] as nb.Tensor).dataSync(), [
    dydx[0] as number,
    2 * (dydx[1] as number),
  ]);
  const [, t] = nb.jvp((u) => u.sin().mul(u), [x], [nb.tensor([2, 1], { dtype: "float64" })]);
  assertClose(t.dataSync(), [2 * (dydx[0] as number), dydx[1] as number]);
});

test("backward fills .grad on variables and accumulates", () => {
  const w = nb.variable(nb.tensor([1, 2, 3]));
  const loss = () => w.mul(w).sum();
  loss().backward();
  assertClose((w.grad as nb.Tensor).dataSync(), [2, 4, 6]);
  loss().backward();
  assertClose((w.grad as nb.Tensor).dataSync(), [4, 8, 12]);
});

test("grad of a non-scalar function is a clear error", () => {
  assert.throws(
    () => nb.grad((x: nb.Tensor) => x.mul(2))(nb.tensor([1, 2])),
    /grad: f must return a scalar, got shape \[2\]/,
  );
});

test("gradients through broadcasting, reductions and matmul match finite differences", () => {
  gradCheck((a, b) => a.mul(b).sum(0), {
    inputs: [
      { data: [1, 2, 3, 4, 5, 6], shape: [2, 3] },
      { data: [0.5, -1, 2], shape: [3] },
    ],
  });
  gradCheck((a, b) => a.matmul(b).tanh(), {
    inputs: [
      { data: [1, 2, 3, 4, 5, 6].map((v) => v / 7), shape: [2, 3] },
      { data: [0.1, 0.2, -0.3, 0.4, 0.5, -0.6], shape: [3, 2] },
    ],
  });
  gradCheck((a) => a.max(1), { inputs: [{ data: [1, 5, 3, 4, 2, 6], shape: [2, 3] }] });
  gradCheck((a) => a.prod(), { inputs: [{ data: [1.5, -2, 0.5, 3], shape: [4] }] });
});

leakFreeTest("grad leaves no buffers behind inside tidy", () => {
  const g = nb.grad((x: nb.Tensor) => x.exp().sum())(nb.tensor([1, 2]));
  g.dataSync();
});
