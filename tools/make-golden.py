#!/usr/bin/env python3
"""Writes test/golden/golden.json: fixed inputs and NumPy's outputs for a small set of ops.

    python3 tools/make-golden.py        # from the repository root; needs numpy (nothing else)

The JSON is committed; test/golden.test.ts reads it and checks nabla against it (inputs in
float32 and float64, int32 where NumPy used integers). Run this once, and again only to add cases.

Deterministic: the inputs come from numpy.random.default_rng(SEED) and are rounded to multiples
of 1/256, so they are exactly representable in float32: nabla's float32 run sees the very values
NumPy computed with (in float64). Outputs are written with 12 significant digits. erf uses the
standard library's math.erf, so that the golden values don't depend on any erf in nabla.

Each case: name, inputs (data row-major, shape, dtype), output (data, shape, dtype as NumPy
gives it: float64, int64 or bool). No case produces NaN or infinities (JSON has none).
"""
import json
import math

import numpy as np

SEED = 20261128
OUT = "test/golden/golden.json"

rng = np.random.default_rng(SEED)


def grid(x):
    """Rounds to a multiple of 1/256 (exact in float32)."""
    return np.round(np.asarray(x, dtype=np.float64) * 256) / 256


a = grid(rng.normal(size=(3, 4)))
b = grid(rng.normal(size=(4,)))
c3 = grid(rng.normal(size=(2, 3, 4)))
m = grid(rng.normal(size=(4, 2)))
bm = grid(rng.normal(size=(4, 5)))
v4 = grid(rng.normal(size=(4,)))
pos = grid(rng.uniform(0.1, 5, size=(2, 3)))
col = grid(rng.uniform(0.5, 3, size=(3, 1)))
small = grid(rng.uniform(-0.9, 2, size=(2, 3)))
wide = grid(np.linspace(-3.5, 3.5, 12))
halves = np.array([-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -0.25, 0.75, 2.0, -2.0])
mod_x = np.array([-5.5, -3.0, -0.75, 0.0, 0.75, 3.0, 5.5, 7.25])
mod_y = np.array([[2.0], [-2.0], [1.5]])
ints = np.array([[-7, -3, 0, 4], [5, -1, 9, -8]], dtype=np.int64)
int_div = np.array([3, -3, 4, -4], dtype=np.int64)
ties = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 1.0, 2.0], [-1.0, -1.0, -1.0, -1.0]])
vtie = np.array([[4.0, 1.0], [4.0, 1.0], [0.0, 1.0]])


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def logsumexp(x, axis):
    mx = x.max(axis=axis, keepdims=True)
    return (np.log(np.exp(x - mx).sum(axis=axis, keepdims=True)) + mx).squeeze(axis)


erf = np.vectorize(math.erf)

cases = [
    # elementwise math
    ("exp", [a], np.exp(a)),
    ("log", [pos], np.log(pos)),
    ("log1p", [small], np.log1p(small)),
    ("expm1", [small], np.expm1(small)),
    ("sqrt", [pos], np.sqrt(pos)),
    ("tanh", [a], np.tanh(a)),
    ("sigmoid", [a], 1 / (1 + np.exp(-a))),
    ("erf", [wide], erf(wide)),
    ("gelu", [wide], 0.5 * wide * (1 + erf(wide / math.sqrt(2)))),
    ("softplus", [wide], np.log1p(np.exp(wide))),
    ("sin_cos", [wide], np.sin(wide) * np.cos(wide)),
    # broadcasting and binary ops
    ("add_broadcast", [a, b], a + b),
    ("mul_outer_broadcast", [a[:, :1], b[None, :]], a[:, :1] * b[None, :]),
    ("sub_scalar_tensor", [a, np.array(0.5)], a - 0.5),
    ("div_broadcast", [a, col], a / col),
    ("pow", [pos, pos[::-1] - 2], pos ** (pos[::-1] - 2)),
    ("maximum_ties", [ties, ties[:, ::-1]], np.maximum(ties, ties[:, ::-1])),
    ("where", [a, b], np.where(a > 0, a, 2 * b)),
    ("clip", [a], np.clip(a, -0.5, 0.75)),
    ("round_half_even", [halves], np.round(halves)),
    ("floor_ceil", [halves], np.floor(halves) + 10 * np.ceil(halves)),
    ("mod_float_negative", [mod_x, mod_y], np.mod(mod_x, mod_y)),
    ("mod_int_negative", [ints, int_div], np.mod(ints, int_div)),
    # reductions
    ("sum_axes_0_2", [c3], c3.sum(axis=(0, 2))),
    ("sum_neg_axis_keepdims", [c3], c3.sum(axis=-1, keepdims=True)),
    ("mean_axes_neg", [c3], c3.mean(axis=(-1, -3))),
    ("prod_axis1", [pos], pos.prod(axis=1)),
    ("max_all", [c3], np.array(c3.max())),
    ("min_axis0_keepdims", [a], a.min(axis=0, keepdims=True)),
    ("argmax_ties_axis1", [ties], np.argmax(ties, axis=1)),
    ("argmin_ties_axis0", [vtie], np.argmin(vtie, axis=0)),
    ("argmax_flat", [ties], np.array(np.argmax(ties))),
    ("var_ddof1_axis1", [a], a.var(axis=1, ddof=1)),
    ("std_ddof0_axis0_keepdims", [a], a.std(axis=0, keepdims=True)),
    ("std_ddof1_all", [c3], np.array(c3.std(ddof=1))),
    ("logsumexp_axis1", [a], logsumexp(a, 1)),
    ("cumsum_axis0", [c3], np.cumsum(c3, axis=0)),
    ("cumsum_axis_neg1_int", [ints], np.cumsum(ints, axis=-1)),
    ("any_all", [ties], np.stack([np.any(ties > 2.5, axis=1), np.all(ties < 3, axis=1)])),
    # linear algebra and nn
    ("matmul", [a, m], a @ m),
    ("matmul_batched_broadcast", [c3, bm], c3 @ bm),
    ("matmul_vector_matrix", [v4, bm], v4 @ bm),
    ("transpose_matmul", [a], a.T @ a),
    ("softmax_last", [a], softmax(a, -1)),
    ("softmax_axis0", [c3], softmax(c3, 0)),
]


def enc(x):
    x = np.asarray(x)
    if x.dtype == np.bool_:
        data = [bool(v) for v in x.ravel()]
    elif np.issubdtype(x.dtype, np.integer):
        data = [int(v) for v in x.ravel()]
    else:
        data = [float(f"{v:.12g}") for v in x.ravel()]
    assert all(math.isfinite(v) for v in data if isinstance(v, float)), "no NaN/inf in golden data"
    return {"data": data, "shape": list(x.shape), "dtype": str(x.dtype)}


out = [{"name": n, "inputs": [enc(x) for x in xs], "output": enc(y)} for n, xs, y in cases]
with open(OUT, "w") as f:
    json.dump({"generator": "tools/make-golden.py", "seed": SEED, "numpy": np.__version__, "cases": out}, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(out)} cases to {OUT}")
