// Source primitives: leaves of the graph. Constants carry data; full and iota are expressions of
// the index alone; random draws from the counter-based generator on the host.
import { cnst, type Expr } from "../core/alu.js";
import { allocArray, castScalar, isFloat, type DType } from "../core/dtype.js";
import { DTypeError } from "../core/errors.js";
import { uniformBits, type Key } from "../core/random.js";
import { checkShape, sizeOf } from "../core/shape.js";
import { defineOp } from "./def.js";

export const sourceOps = {
  /** Host data; `uid` makes each constant its own node. Shape and dtype are params. */
  const: defineOp<{ uid: number; shape: readonly number[]; dtype: DType }>({
    arity: 0,
    shape: (_s, p) => (checkShape("tensor", p.shape), [...p.shape]),
    dtype: (_d, p) => p.dtype,
    vjp: null,
    lower: { kind: "source" },
  }),
  /** Every element equal to `value`. */
  full: defineOp<{ value: number; shape: readonly number[]; dtype: DType }>({
    arity: 0,
    shape: (_s, p) => (checkShape("full", p.shape), [...p.shape]),
    dtype: (_d, p) => p.dtype,
    vjp: null,
    lower: { kind: "expr", expr: (_c, p) => cnst(castScalar(p.value, p.dtype), p.dtype) },
  }),
  /** The index along `axis`, for every position of `shape`. */
  iota: defineOp<{ shape: readonly number[]; axis: number; dtype: DType }>({
    arity: 0,
    shape: (_s, p) => (checkShape("iota", p.shape), [...p.shape]),
    dtype: (_d, p) => p.dtype,
    vjp: null,
    lower: {
      kind: "expr",
      expr: (c, p): Expr => {
        const i = c.idx[p.axis] ?? cnst(0, "int32");
        return p.dtype === "int32" ? i : { k: "alu", op: "cast", args: [i], dtype: p.dtype };
      },
    },
  }),
  /** Uniform numbers in [0, 1) from `key`; position i of the flattened shape is draw i. */
  random: defineOp<{ key: Key; shape: readonly number[]; dtype: DType }>({
    arity: 0,
    shape: (_s, p) => (checkShape("random", p.shape), [...p.shape]),
    dtype: (_d, p) => {
      if (!isFloat(p.dtype)) throw new DTypeError("random", `expected a float dtype, got ${p.dtype}`);
      return p.dtype;
    },
    vjp: null,
    lower: {
      kind: "source",
      host: (p, shape, dtype) => {
        const n = sizeOf(shape);
        const out = allocArray(dtype, n) as Float32Array | Float64Array;
        uniformBits(p.key, n, out);
        return out;
      },
    },
  }),
};
