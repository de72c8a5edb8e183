// NumPy-generated golden values (tools/make-golden.py) check the reference semantics themselves.
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as nb from "../src/index.js";
import { assertClose, forEachBackend } from "./util.js";

interface Golden {
  cases: {
    name: string;
    inputs: { data: number[]; shape: number[]; dtype: string }[];
    output: { data: number[]; shape: number[] };
  }[];
}
const golden = JSON.parse(readFileSync(new URL("./golden/golden.json", import.meta.url), "utf8")) as Golden;

const OPS: Record<string, (...x: nb.Tensor[]) => nb.Tensor> = {
  exp: (x) => x.exp(),
  log: (x) => x.log(),
  tanh: (x) => x.tanh(),
  erf: (x) => x.erf(),
  sqrt: (x) => x.sqrt(),
  add_broadcast: (x, y) => x.add(y as nb.Tensor),
  mul_broadcast: (x, y) => x.mul(y as nb.Tensor),
  div: (x, y) => x.div(y as nb.Tensor),
  pow: (x, y) => x.pow(y as nb.Tensor),
  matmul: (x, y) => x.matmul(y as nb.Tensor),
  sum_axis0: (x) => x.sum(0),
  mean_axis1_keepdims: (x) => x.mean(1, true),
  max_all: (x) => x.max(),
  var_ddof1: (x) => x.variance(1, { correction: 1 }),
  std: (x) => x.std(),
  cumsum_axis1: (x) => x.cumsum(1),
  softmax: (x) => x.softmax(-1),
  logsumexp: (x) => x.logsumexp(1),
  round_half_even: (x) => x.round(),
  mod_int: (x, y) => x.mod(y as nb.Tensor),
  floor_divide_float: (x, y) => x.div(y as nb.Tensor).floor(),
  argmax_ties: (x) => x.argmax(1),
  transpose_matmul: (x) => x.transpose().matmul(x),
  clip: (x) => x.clamp(-0.5, 0.5),
  sigmoid: (x) => x.sigmoid(),
};

for (const c of golden.cases) {
  test(`golden (NumPy): ${c.name}`, () => {
    const op = OPS[c.name];
    if (!op) throw new Error(`no op for golden case ${c.name}`);
    forEachBackend((backend) => {
      nb.tidy(() => {
        const xs = c.inputs.map((i) =>
          nb.tensor(i.data, { shape: i.shape, dtype: i.dtype.startsWith("int") ? "int32" : "float32" }),
        );
        const y = op(...xs);
        assertClose(y.shape, c.output.shape, {}, `${c.name} shape on ${backend}`);
        assertClose(
          y.dataSync() as ArrayLike<number>,
          c.output.data,
          { rtol: 2e-5, atol: 2e-5 },
          `${c.name} on ${backend}`,
        );
      });
    });
  });
}
