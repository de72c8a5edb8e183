// Algebraic simplification: identities that real graphs (gradient graphs especially) are full of.
//
// Float semantics: x*0 → 0 and x-x → 0 are applied only to int32 (for floats they would turn NaN
// and ±Inf into 0). log(exp(x)) → x is applied to floats: it is exact in real arithmetic and only
// removes the overflow of exp for large x.
import { isFloat } from "../../core/dtype.js";
import { shapesEqual } from "../../core/shape.js";
import { build, type Node } from "../node.js";
import { constValue, type Rule } from "../rewrite.js";

const p = <T>(n: Node): T => n.params as T;
const in0 = (n: Node): Node => n.inputs[0] as Node;
const in1 = (n: Node): Node => n.inputs[1] as Node;
const isConst = (n: Node, v: number): boolean => constValue(n) === v;
const full = (value: number, like: Node): Node =>
  build("full", [], { value, shape: [...like.shape], dtype: like.dtype });

/** A rule from a name and a function that may return a replacement. */
const rule = (name: string, apply: (n: Node) => Node | null | undefined): Rule => ({
  name,
  apply: (n) => apply(n) ?? null,
});

export const simplifyRules: Rule[] = [
  rule("mul-by-one", (n) =>
    n.op === "mul" ? (isConst(in1(n), 1) ? in0(n) : isConst(in0(n), 1) ? in1(n) : null) : null,
  ),
  rule("add-zero", (n) => (n.op === "add" ? (isConst(in1(n), 0) ? in0(n) : isConst(in0(n), 0) ? in1(n) : null) : null)),
  rule("sub-zero", (n) => (n.op === "sub" && isConst(in1(n), 0) ? in0(n) : null)),
  rule("zero-minus", (n) => (n.op === "sub" && isConst(in0(n), 0) ? build("neg", [in1(n)]) : null)),
  rule("div-by-one", (n) => (n.op === "div" && isConst(in1(n), 1) ? in0(n) : null)),
  rule("mul-by-minus-one", (n) =>
    n.op === "mul" && isConst(in1(n), -1) && n.dtype !== "bool" ? build("neg", [in0(n)]) : null,
  ),
  rule("neg-neg", (n) => (n.op === "neg" && in0(n).op === "neg" ? in0(in0(n)) : null)),
  rule("not-not", (n) => (n.op === "not" && in0(n).op === "not" ? in0(in0(n)) : null)),
  rule("int-mul-zero", (n) =>
    n.op === "mul" && n.dtype === "int32" && (isConst(in0(n), 0) || isConst(in1(n), 0)) ? full(0, n) : null,
  ),
  rule("int-sub-self", (n) => (n.op === "sub" && n.dtype === "int32" && in0(n) === in1(n) ? full(0, n) : null)),
  rule("log-exp", (n) => (n.op === "log" && in0(n).op === "exp" && isFloat(n.dtype) ? in0(in0(n)) : null)),
  rule("where-same-branches", (n) => (n.op === "where" && in1(n) === n.inputs[2] ? in1(n) : null)),
  rule("where-const-cond", (n) => {
    if (n.op !== "where") return null;
    const c = constValue(in0(n));
    return c === undefined ? null : c ? in1(n) : (n.inputs[2] as Node);
  }),
  // identities that exist only for autodiff
  rule("drop-identity", (n) => (n.op === "input" || n.op === "stopGradient" ? in0(n) : null)),
  rule("cast-same", (n) => (n.op === "cast" && in0(n).dtype === n.dtype ? in0(n) : null)),
  // views
  rule("view-noop", (n) => {
    if (!["reshape", "expand", "permute", "slice", "pad", "flip"].includes(n.op)) return null;
    const x = in0(n);
    if (n.op === "pad" && p<{ widths: [number, number][] }>(n).widths.some(([a, b]) => a || b)) return null;
    if (n.op === "flip" && p<{ axes: number[] }>(n).axes.some((a) => (x.shape[a] ?? 1) > 1)) return null;
    if (n.op === "permute" && p<{ perm: number[] }>(n).perm.some((a, i) => a !== i && (x.shape[a] ?? 1) > 1))
      return null;
    return shapesEqual(n.shape, x.shape) ? x : null;
  }),
  rule("reshape-reshape", (n) =>
    n.op === "reshape" && in0(n).op === "reshape" ? build("reshape", [in0(in0(n))], { shape: [...n.shape] }) : null,
  ),
  rule("permute-permute", (n) => {
    if (n.op !== "permute" || in0(n).op !== "permute") return null;
    const outer = p<{ perm: number[] }>(n).perm;
    const inner = p<{ perm: number[] }>(in0(n)).perm;
    return build("permute", [in0(in0(n))], { perm: outer.map((a) => inner[a] as number) });
  }),
  rule("expand-expand", (n) =>
    n.op === "expand" && in0(n).op === "expand" ? build("expand", [in0(in0(n))], { shape: [...n.shape] }) : null,
  ),
  rule("flip-flip", (n) => {
    if (n.op !== "flip" || in0(n).op !== "flip") return null;
    const a = p<{ axes: number[] }>(n).axes;
    const b = p<{ axes: number[] }>(in0(n)).axes;
    const axes = [...a.filter((x) => !b.includes(x)), ...b.filter((x) => !a.includes(x))].sort((x, y) => x - y);
    return axes.length ? build("flip", [in0(in0(n))], { axes }) : in0(in0(n));
  }),
  // a reduction over size-1 axes only is a no-op (reductions keep dims)
  rule("reduce-unit-axes", (n) => {
    if (!["sum", "max", "prod"].includes(n.op)) return null;
    return p<{ axes: number[] }>(n).axes.every((a) => in0(n).shape[a] === 1) ? in0(n) : null;
  }),
];
