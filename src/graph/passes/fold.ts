// Constant folding: elementwise ops, views, casts and reductions whose inputs are `full`
// constants become a single `full` node, evaluated with the ALU's own definitions.
import { type Expr } from "../../core/alu.js";
import { castScalar } from "../../core/dtype.js";
import { evalAlu } from "../../core/scalar.js";
import { build, type Node } from "../node.js";
import { opDef } from "../../ops/registry.js";
import { constValue, type Rule } from "../rewrite.js";

const full = (value: number, like: Node): Node =>
  build("full", [], { value, shape: [...like.shape], dtype: like.dtype });

/** Evaluates a lowered expression whose loads are all constants. */
function evalExpr(e: Expr, values: readonly number[]): number | undefined {
  switch (e.k) {
    case "const":
      return e.v;
    case "var":
      return undefined;
    case "load":
      return values[e.buf];
    case "alu": {
      const args: number[] = [];
      for (const a of e.args) {
        const v = evalExpr(a, values);
        if (v === undefined) return undefined;
        args.push(v);
      }
      return evalAlu(e.op, args, e.dtype);
    }
  }
}

export const foldRules: Rule[] = [
  {
    name: "fold-constants",
    apply(n) {
      if (n.op === "full" || n.inputs.length === 0) return null;
      const vals = n.inputs.map(constValue);
      if (vals.some((v) => v === undefined)) return null;
      const lower = opDef(n.op).lower;
      if (lower.kind === "reduce") {
        const v = vals[0] as number;
        const count = n.inputs[0] ? n.inputs[0].size / Math.max(1, n.size) : 1;
        if (lower.op === "sum") return full(castScalar(v * count, n.dtype), n);
        if (lower.op === "max") return full(v, n);
        if (lower.op === "prod") return full(castScalar(v ** count, n.dtype), n);
        return null;
      }
      if (lower.kind !== "expr" || n.op === "gather") return null;
      // evaluate the op's own lowering at index 0, each input read as its constant
      const zero: Expr = { k: "const", v: 0, dtype: "int32" };
      const e = lower.expr(
        {
          idx: n.shape.map(() => zero),
          outShape: n.shape,
          outDtype: n.dtype,
          inShapes: n.inputs.map((i) => i.shape),
          inDtypes: n.inputs.map((i) => i.dtype),
          load: (i, _ix, valid) =>
            valid
              ? {
                  k: "alu",
                  op: "where",
                  args: [
                    valid,
                    { k: "load", buf: i, idx: zero, dtype: n.inputs[i]?.dtype ?? "float32" },
                    { k: "const", v: 0, dtype: n.inputs[i]?.dtype ?? "float32" },
                  ],
                  dtype: n.inputs[i]?.dtype ?? "float32",
                }
              : { k: "load", buf: i, idx: zero, dtype: n.inputs[i]?.dtype ?? "float32" },
        },
        n.params,
      );
      // only position-independent results fold (pad's border differs from its inside)
      if (n.op === "pad" && (n.params as { value: number }).value !== vals[0]) return null;
      const v = evalExpr(e, vals as number[]);
      return v === undefined ? null : full(v, n);
    },
  },
];
