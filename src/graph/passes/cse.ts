// Common-subexpression elimination. Hash-consing already merges nodes with equal op, params and
// inputs; this pass also merges commutative ops whose operands come in the other order, by putting
// operands in one canonical order: non-constants by id, constants last (where re-association looks).
import { build, type Node } from "../node.js";
import { constValue, type Rule } from "../rewrite.js";

const COMMUTATIVE = new Set(["add", "mul", "maximum", "minimum", "cmpeq", "and", "or"]);

const rank = (n: Node): number => (constValue(n) !== undefined ? 2 ** 52 : 0) + n.id;

export const cseRules: Rule[] = [
  {
    name: "cse-commutative",
    apply(n) {
      if (!COMMUTATIVE.has(n.op)) return null;
      const [a, b] = n.inputs as [Node, Node];
      return rank(a) > rank(b) ? build(n.op, [b, a]) : null;
    },
  },
];
