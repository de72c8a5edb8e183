"""Writes test/golden/golden.json: fixed inputs and NumPy's outputs for a few ops.

Run once with `python3 tools/make-golden.py`; the JSON is committed and checks nabla's
reference semantics against NumPy (test/golden.test.ts). Deterministic: fixed seed, fixed cases.
"""
import json
import math

import numpy as np

rng = np.random.default_rng(20261128)
a = np.round(rng.normal(size=(3, 4)), 4)
b = np.round(rng.normal(size=(4,)), 4)
m = np.round(rng.normal(size=(4, 2)), 4)
pos = np.round(rng.uniform(0.1, 5, size=(2, 3)), 4)
ints = np.array([[-7, -3, 0, 4], [5, -1, 9, 2]], dtype=np.int32)
halves = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5])
ties = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 1.0]])


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


cases = [
    ("exp", [a], np.exp(a)),
    ("log", [pos], np.log(pos)),
    ("tanh", [a], np.tanh(a)),
    ("erf", [a], np.vectorize(math.erf)(a)),
    ("sqrt", [pos], np.sqrt(pos)),
    ("add_broadcast", [a, b], a + b),
    ("mul_broadcast", [a, b[None, :]], a * b[None, :]),
    ("div", [a, pos[0:1, 0:1]], a / pos[0, 0]),
    ("pow", [pos, pos[::-1]], pos ** pos[::-1]),
    ("matmul", [a, m], a @ m),
    ("sum_axis0", [a], a.sum(axis=0)),
    ("mean_axis1_keepdims", [a], a.mean(axis=1, keepdims=True)),
    ("max_all", [a], np.array(a.max())),
    ("var_ddof1", [a], a.var(axis=1, ddof=1)),
    ("std", [a], np.array(a.std())),
    ("cumsum_axis1", [a], np.cumsum(a, axis=1)),
    ("softmax", [a], softmax(a)),
    ("logsumexp", [a], np.log(np.exp(a).sum(axis=1))),
    ("round_half_even", [halves], np.round(halves)),
    ("mod_int", [ints, np.array([3, -3, 4, -4], dtype=np.int32)], np.mod(ints, np.array([3, -3, 4, -4], dtype=np.int32))),
    ("floor_divide_float", [a, np.array(0.7)], np.floor_divide(a, 0.7)),
    ("argmax_ties", [ties], np.argmax(ties, axis=1)),
    ("transpose_matmul", [a], a.T @ a),
    ("clip", [a], np.clip(a, -0.5, 0.5)),
    ("sigmoid", [a], 1 / (1 + np.exp(-a))),
]

out = [
    {"name": n, "inputs": [{"data": np.asarray(x).ravel().tolist(), "shape": list(np.shape(x)), "dtype": str(np.asarray(x).dtype)} for x in xs],
     "output": {"data": np.asarray(y).ravel().tolist(), "shape": list(np.shape(y))}}
    for n, xs, y in cases
]
with open("test/golden/golden.json", "w") as f:
    json.dump({"numpy": np.__version__, "cases": out}, f, indent=1)
print(f"wrote {len(out)} cases")
