// A short demo: a two-layer network learns to separate two interleaved spirals, trained with
// nabla's autodiff and Adam, compiled into one step with nb.jit, on the default backend.
import * as nb from "nabla";

const N = 200; // points per class
const steps = Number(process.env.DEMO_STEPS ?? 300);

/** Two spirals, class 0 and class 1, with a little noise (seeded, so every run is the same). */
function spirals() {
  nb.seed(1);
  const t = nb.linspace(0.25, 3 * Math.PI, N).reshape([N, 1]);
  const arm = (phase) => nb.concat([t.mul(nb.cos(t.add(phase))), t.mul(nb.sin(t.add(phase)))], 1);
  const noise = nb.randn([2 * N, 2]).mul(0.015);
  const x = nb
    .concat([arm(0), arm(Math.PI)], 0)
    .div(3 * Math.PI)
    .add(noise);
  const y = nb.concat([nb.zeros([N], { dtype: "int32" }), nb.ones([N], { dtype: "int32" })], 0);
  return { x, y };
}

function init(sizes) {
  const key = nb.random.key(0);
  const keys = key.split(sizes.length);
  return sizes.slice(1).map((out, i) => ({
    w: nb.randn([sizes[i], out], { key: keys[i] }).mul(Math.sqrt(2 / sizes[i])),
    b: nb.zeros([out]),
  }));
}

function forward(params, x) {
  let h = x;
  params.forEach((p, i) => {
    h = h.matmul(p.w).add(p.b);
    if (i < params.length - 1) h = h.tanh();
  });
  return h;
}

const loss = (params, x, y) => nb.crossEntropy(forward(params, x), y);

const { x, y } = spirals();
let params = init([2, 32, 32, 2]);
const lr = 0.02;
const lossAndGrad = nb.valueAndGrad(loss);
const zerosLike = (ps) => ps.map((p) => ({ w: nb.zerosLike(p.w), b: nb.zerosLike(p.b) }));
// Adam, written as tensor math so that the whole step (forward, backward, update) compiles into one
// plan; the parameters and moments are donated, so they are updated in place.
const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
const step = nb.jit(
  (state, x, y) => {
    const { params, m, v, t } = state;
    const [l, g] = lossAndGrad(params, x, y);
    const t1 = t.add(1);
    const c1 = nb.sub(1, nb.pow(beta1, t1));
    const c2 = nb.sub(1, nb.pow(beta2, t1));
    const upd = (p, mi, vi, gi) => {
      const m2 = mi.mul(beta1).add(gi.mul(1 - beta1));
      const v2 = vi.mul(beta2).add(gi.square().mul(1 - beta2));
      return [p.sub(m2.div(c1).mul(lr).div(v2.div(c2).sqrt().add(eps))), m2, v2];
    };
    const next = params.map((p, i) => {
      const [w, mw, vw] = upd(p.w, m[i].w, v[i].w, g[i].w);
      const [b, mb, vb] = upd(p.b, m[i].b, v[i].b, g[i].b);
      return { p: { w, b }, m: { w: mw, b: mb }, v: { w: vw, b: vb } };
    });
    return [{ params: next.map((n) => n.p), m: next.map((n) => n.m), v: next.map((n) => n.v), t: t1 }, l];
  },
  { donate: [0], optLevel: 3 },
);
const accuracy = nb.jit((params, x, y) => forward(params, x).argmax(1).eq(y).astype("float32").mean(), { optLevel: 3 });
const t0 = performance.now();
console.log(`backend: ${nb.getBackend()}; ${2 * N} points, ${steps} full-batch Adam steps`);
let state = { params, m: zerosLike(params), v: zerosLike(params), t: nb.tensor(0) };
for (let i = 1; i <= steps; i++) {
  const [next, l] = step(state, x, y);
  state = next;
  params = state.params;
  if (i % 50 === 0 || i === 1) {
    const acc = accuracy(params, x, y);
    console.log(
      `step ${String(i).padStart(4)}  loss ${l.item().toFixed(4)}  accuracy ${(acc.item() * 100).toFixed(1)}%`,
    );
    acc.dispose();
  }
  l.dispose();
}
const acc = accuracy(params, x, y).item();
console.log(`final accuracy ${(acc * 100).toFixed(1)}% in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
