// NumPy golden values (test/golden/golden.json, written once by tools/make-golden.py): fixed
// inputs and NumPy's outputs. Each case runs on every backend with the inputs in float32 (float32
// tolerances) and in float64 (tight tolerances); NumPy's int64 is int32 here.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as nb from "../src/index.js";
import { assertClose, forEachBackend } from "./util.js";

interface Value {
  data: (number | boolean)[];
  shape: number[];
  dtype: string;
}
interface Golden {
  numpy: string;
  cases: { name: string; inputs: Value[]; output: Value }[];
}
const golden = JSON.parse(readFileSync(new URL("./golden/golden.json", import.meta.url), "utf8")) as Golden;

type T = nb.Tensor;
const OPS: Record<string, (...x: T[]) => T> = {
  exp: (x) => x.exp(),
  log: (x) => x.log(),
  log1p: (x) => x.log1p(),
  expm1: (x) => x.expm1(),
  sqrt: (x) => x.sqrt(),
  tanh: (x) => x.tanh(),
  sigmoid: (x) => x.sigmoid(),
  erf: (x) => x.erf(),
  gelu: (x) => x.gelu(),
  softplus: (x) => x.softplus(),
  sin_cos: (x) => x.sin().mul(x.cos()),
  add_broadcast: (x, y) => x.add(y as T),
  mul_outer_broadcast: (x, y) => x.mul(y as T),
  sub_scalar_tensor: (x, y) => x.sub(y as T),
  div_broadcast: (x, y) => x.div(y as T),
  pow: (x, y) => x.pow(y as T),
  maximum_ties: (x, y) => x.maximum(y as T),
  where: (x, y) => nb.where(x.gt(0), x, (y as T).mul(2)),
  clip: (x) => x.clamp(-0.5, 0.75),
  round_half_even: (x) => x.round(),
  floor_ceil: (x) => x.floor().add(x.ceil().mul(10)),
  mod_float_negative: (x, y) => x.mod(y as T),
  mod_int_negative: (x, y) => x.mod(y as T),
  sum_axes_0_2: (x) => x.sum([0, 2]),
  sum_neg_axis_keepdims: (x) => x.sum(-1, true),
  mean_axes_neg: (x) => x.mean([-1, -3]),
  prod_axis1: (x) => x.prod(1),
  max_all: (x) => x.max(),
  min_axis0_keepdims: (x) => x.min(0, true),
  argmax_ties_axis1: (x) => x.argmax(1),
  argmin_ties_axis0: (x) => x.argmin(0),
  argmax_flat: (x) => x.argmax(),
  var_ddof1_axis1: (x) => x.variance(1, { correction: 1 }),
  std_ddof0_axis0_keepdims: (x) => x.std(0, { keepdims: true }),
  std_ddof1_all: (x) => x.std(null, { correction: 1 }),
  logsumexp_axis1: (x) => x.logsumexp(1),
  cumsum_axis0: (x) => x.cumsum(0),
  cumsum_axis_neg1_int: (x) => x.cumsum(-1),
  any_all: (x) => nb.stack([x.gt(2.5).any(1), x.lt(3).all(1)]),
  matmul: (x, y) => x.matmul(y as T),
  matmul_batched_broadcast: (x, y) => x.matmul(y as T),
  matmul_vector_matrix: (x, y) => x.matmul(y as T),
  transpose_matmul: (x) => x.transpose().matmul(x),
  softmax_last: (x) => x.softmax(-1),
  softmax_axis0: (x) => x.softmax(0),
};

/** NumPy's dtype of an input or output, as nabla's for a run whose float dtype is `float`. */
function dtypeOf(numpy: string, float: "float32" | "float64"): nb.DType {
  if (numpy === "bool") return "bool";
  if (numpy.startsWith("int")) return "int32";
  return float;
}

const TOL = { float32: { rtol: 2e-5, atol: 2e-6 }, float64: { rtol: 1e-10, atol: 1e-11 } };

test("the golden set was made by tools/make-golden.py and has ~45 cases, one op each", () => {
  assert.ok(golden.cases.length >= 25, `${golden.cases.length} cases`);
  assert.deepEqual(golden.cases.map((c) => c.name).sort(), Object.keys(OPS).sort());
});

for (const c of golden.cases) {
  test(`golden (NumPy ${golden.numpy}): ${c.name}`, () => {
    const op = OPS[c.name];
    assert.ok(op, `no op for golden case ${c.name}`);
    for (const float of ["float32", "float64"] as const) {
      forEachBackend((backend) => {
        const before = nb.memory().buffers;
        nb.tidy(() => {
          const xs = c.inputs.map((i) => nb.tensor(i.data, { shape: i.shape, dtype: dtypeOf(i.dtype, float) }));
          const y = op(...xs);
          const what = `${c.name} (${float} inputs) on ${backend}`;
          assert.deepEqual(y.shape, c.output.shape, `${what}: shape`);
          assert.equal(y.dtype, dtypeOf(c.output.dtype, float), `${what}: dtype`);
          const want = c.output.data.map(Number);
          const tol = y.dtype === "float32" || y.dtype === "float64" ? TOL[y.dtype] : { rtol: 0, atol: 0 };
          assertClose(y.dataSync() as ArrayLike<number>, want, tol, what);
        });
        assert.equal(nb.memory().buffers, before, `${c.name}: buffers leaked`);
      });
    }
  });
}
