// Re-association of constant chains: (x·a)·b → x·(a·b) and (x+a)+b → x+(a+b), with constants moved
// to the right by CSE's canonical order and x−c rewritten as x+(−c). For floats this can change the last bit of the result;
// powers of two (the common case: ((x·2)·2)·2 → x·8) are exact.
import { evalAlu } from "../../core/scalar.js";
import { build, type Node } from "../node.js";
import { constValue, type Rule } from "../rewrite.js";

const full = (value: number, like: Node): Node =>
  build("full", [], { value, shape: [...like.shape], dtype: like.dtype });

function chain(op: "mul" | "add"): Rule {
  return {
    name: `reassociate-${op}`,
    apply(n) {
      if (n.op !== op) return null;
      const [x, c] = n.inputs as [Node, Node];
      const b = constValue(c);
      if (b === undefined || x.op !== op) return null;
      const [y, c2] = x.inputs as [Node, Node];
      const a = constValue(c2);
      if (a === undefined) return null;
      return build(op, [y, full(evalAlu(op, [a, b], n.dtype), n)]);
    },
  };
}

export const reassociateRules: Rule[] = [
  {
    name: "sub-const-to-add",
    apply(n) {
      const c = n.op === "sub" && n.dtype !== "int32" ? constValue(n.inputs[1] as Node) : undefined;
      return c === undefined ? null : build("add", [n.inputs[0] as Node, full(-c, n)]);
    },
  },
  chain("mul"),
  chain("add"),
];
