// Elementwise tensor ops: broadcasting, dtype promotion and weak scalars on top of the primitives,
// and the activations written as composites.
import { isFloat, promote, promoteWeak, scalarDType, type DType } from "../core/dtype.js";
import { broadcastShapes } from "../core/shape.js";
import { build, type Node } from "../graph/node.js";
import { asTensor, broadcastNode, castNode, fullNode, type Scalar, type TensorLike } from "./convert.js";
import { Tensor, isTensor } from "./tensor.js";

const wrap = (n: Node): Tensor => new Tensor(n);
const isScalar = (x: TensorLike): x is Scalar => typeof x === "number" || typeof x === "boolean";

/** The common dtype of two operands; JS scalars are weak (they don't widen a tensor's dtype). */
export function resultDType(a: TensorLike, b: TensorLike): DType {
  const dt = (x: TensorLike): DType => (isTensor(x) ? x.dtype : isScalar(x) ? scalarDType(x) : asTensor(x).dtype);
  if (isScalar(a) && isScalar(b))
    return promote(dt(a) === "int32" ? "float32" : dt(a), dt(b) === "int32" ? "float32" : dt(b));
  if (isScalar(b)) return promoteWeak(dt(a), b);
  if (isScalar(a)) return promoteWeak(dt(b), a);
  return promote(dt(a), dt(b));
}

/** Both operands as nodes of one shape and `dtype`; scalars become constant nodes. */
export function operands(op: string, a: TensorLike, b: TensorLike, dtype: DType): [Node, Node] {
  const ta = isScalar(a) ? null : asTensor(a);
  const tb = isScalar(b) ? null : asTensor(b);
  const shape = broadcastShapes(op, ta?.shape ?? [], tb?.shape ?? []);
  const side = (t: Tensor | null, s: TensorLike): Node =>
    t ? broadcastNode(castNode(t.node, dtype), shape) : fullNode(Number(s), shape, dtype);
  return [side(ta, a), side(tb, b)];
}

type FloatMode = "keep" | "float";

/** Nested arrays and typed arrays become tensors once; scalars stay weak. */
const norm = (x: TensorLike): Tensor | Scalar => (isScalar(x) ? x : asTensor(x));

function binary(op: string, prim: string, a0: TensorLike, b0: TensorLike, mode: FloatMode = "keep"): Tensor {
  const [a, b] = [norm(a0), norm(b0)];
  let dt = resultDType(a, b);
  if (mode === "float" && !isFloat(dt)) dt = "float32";
  const [x, y] = operands(op, a, b, dt);
  return wrap(build(prim, [x, y]));
}

function compare(op: string, prims: (x: Node, y: Node) => Node, a0: TensorLike, b0: TensorLike): Tensor {
  const [a, b] = [norm(a0), norm(b0)];
  const [x, y] = operands(op, a, b, resultDType(a, b));
  return wrap(prims(x, y));
}

const nb = (op: string, ...xs: Node[]): Node => build(op, xs);

/** a + b; for two bools, logical or (as in NumPy). */
export const add = (a: TensorLike, b: TensorLike): Tensor =>
  binary("add", resultDType(a, b) === "bool" ? "or" : "add", a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary("sub", "sub", a, b);
/** a · b; for two bools, logical and (as in NumPy). */
export const mul = (a: TensorLike, b: TensorLike): Tensor =>
  binary("mul", resultDType(a, b) === "bool" ? "and" : "mul", a, b);
/** True division: integer operands give float32. */
export const div = (a: TensorLike, b: TensorLike): Tensor => binary("div", "div", a, b, "float");
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary("maximum", "maximum", a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary("minimum", "minimum", a, b);
/** Remainder with the sign of the divisor (NumPy `mod`). */
export const mod = (a: TensorLike, b: TensorLike): Tensor => binary("mod", "mod", a, b);
/** Power; integer operands are computed in float and rounded back. */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  const dt = resultDType(a, b);
  const out = binary("pow", "pow", a, b, "float");
  return isFloat(dt) ? out : out.round().astype(dt);
}
export const eq = (a: TensorLike, b: TensorLike): Tensor => compare("eq", (x, y) => nb("cmpeq", x, y), a, b);
export const ne = (a: TensorLike, b: TensorLike): Tensor => compare("ne", (x, y) => nb("not", nb("cmpeq", x, y)), a, b);
export const lt = (a: TensorLike, b: TensorLike): Tensor => compare("lt", (x, y) => nb("cmplt", x, y), a, b);
export const gt = (a: TensorLike, b: TensorLike): Tensor => compare("gt", (x, y) => nb("cmplt", y, x), a, b);
export const le = (a: TensorLike, b: TensorLike): Tensor =>
  compare("le", (x, y) => nb("or", nb("cmplt", x, y), nb("cmpeq", x, y)), a, b);
export const ge = (a: TensorLike, b: TensorLike): Tensor =>
  compare("ge", (x, y) => nb("or", nb("cmplt", y, x), nb("cmpeq", x, y)), a, b);

const asBool = (x: TensorLike): Tensor => asTensor(x).astype("bool");
export const logicalAnd = (a: TensorLike, b: TensorLike): Tensor => binary("logicalAnd", "and", asBool(a), asBool(b));
export const logicalOr = (a: TensorLike, b: TensorLike): Tensor => binary("logicalOr", "or", asBool(a), asBool(b));
export const logicalNot = (a: TensorLike): Tensor => wrap(nb("not", asBool(a).node));

/** x where cond holds, else y (all three broadcast together). */
export function where(cond: TensorLike, x0: TensorLike, y0: TensorLike): Tensor {
  const c = asBool(cond);
  const [x, y] = [norm(x0), norm(y0)];
  const dt = resultDType(x, y);
  const tx = isScalar(x) ? null : asTensor(x);
  const ty = isScalar(y) ? null : asTensor(y);
  const shape = broadcastShapes("where", broadcastShapes("where", c.shape, tx?.shape ?? []), ty?.shape ?? []);
  const side = (t: Tensor | null, s: TensorLike): Node =>
    t ? broadcastNode(castNode(t.node, dt), shape) : fullNode(Number(s), shape, dt);
  return wrap(build("where", [broadcastNode(c.node, shape), side(tx, x), side(ty, y)]));
}

/** Unary primitive; float-only ones promote int/bool input to float32. */
function unary(prim: string, x: TensorLike, floatOnly: boolean): Tensor {
  let t = asTensor(x);
  if (floatOnly && !isFloat(t.dtype)) t = t.astype("float32");
  else if (!floatOnly && t.dtype === "bool") t = t.astype("int32");
  return wrap(build(prim, [t.node]));
}

export const neg = (x: TensorLike): Tensor => unary("neg", x, false);
export const abs = (x: TensorLike): Tensor => unary("abs", x, false);
/** -1, 0 or 1 (NaN stays NaN). */
export const sign = (x: TensorLike): Tensor => unary("sign", x, false);
export const exp = (x: TensorLike): Tensor => unary("exp", x, true);
export const log = (x: TensorLike): Tensor => unary("log", x, true);
export const log1p = (x: TensorLike): Tensor => unary("log1p", x, true);
export const expm1 = (x: TensorLike): Tensor => unary("expm1", x, true);
export const sqrt = (x: TensorLike): Tensor => unary("sqrt", x, true);
export const rsqrt = (x: TensorLike): Tensor => unary("recip", sqrt(x), true);
export const reciprocal = (x: TensorLike): Tensor => unary("recip", x, true);
export const sin = (x: TensorLike): Tensor => unary("sin", x, true);
export const cos = (x: TensorLike): Tensor => unary("cos", x, true);
export const tan = (x: TensorLike): Tensor => div(sin(x), cos(x));
export const tanh = (x: TensorLike): Tensor => unary("tanh", x, true);
export const erf = (x: TensorLike): Tensor => unary("erf", x, true);
export const square = (x: TensorLike): Tensor => mul(x, x);

const intPassthrough = (prim: string, x: TensorLike): Tensor => {
  const t = asTensor(x);
  return isFloat(t.dtype) ? wrap(build(prim, [t.node])) : t;
};
export const floor = (x: TensorLike): Tensor => intPassthrough("floor", x);
export const ceil = (x: TensorLike): Tensor => (isFloat(asTensor(x).dtype) ? neg(floor(neg(x))) : asTensor(x));
/** Rounds half to even, like NumPy. */
export const round = (x: TensorLike): Tensor => intPassthrough("round", x);

/** Clamps to [lo, hi]; the gradient is 1 inside the interval, boundaries included. */
export function clamp(x: TensorLike, lo?: number | null, hi?: number | null): Tensor {
  let t = asTensor(x);
  if (lo !== undefined && lo !== null) t = where(lt(t, lo), lo, t);
  if (hi !== undefined && hi !== null) t = where(gt(t, hi), hi, t);
  return t;
}

/** max(x, 0); NaN stays NaN; the subgradient at 0 is 0. */
export const relu = (x: TensorLike): Tensor => where(le(x, 0), 0, x);
export const leakyRelu = (x: TensorLike, slope = 0.01): Tensor => where(gt(x, 0), x, mul(x, slope));
/** x for x > 0, α(eˣ − 1) otherwise. */
export const elu = (x: TensorLike, alpha = 1): Tensor => where(gt(x, 0), x, mul(expm1(minimum(x, 0)), alpha));
/** 1/(1+e⁻ˣ), computed from e^(−|x|) so that neither branch overflows. */
export function sigmoid(x: TensorLike): Tensor {
  const t = asTensor(x);
  const e = exp(neg(abs(t)));
  const r = div(1, add(e, 1));
  return where(ge(t, 0), r, mul(e, r));
}
/** log(1 + eˣ) = max(x, 0) + log1p(e^(−|x|)). */
export const softplus = (x: TensorLike): Tensor => add(relu(x), log1p(exp(neg(abs(x)))));
export const silu = (x: TensorLike): Tensor => mul(x, sigmoid(x));
/** GELU, exact (erf) by default or the tanh approximation. */
export function gelu(x: TensorLike, approximate: "none" | "tanh" = "none"): Tensor {
  if (approximate === "tanh") {
    const inner = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

/** Casts to `dtype`. */
export function astype(x: TensorLike, dtype: DType): Tensor {
  const t = asTensor(x);
  return t.dtype === dtype ? t : wrap(build("cast", [t.node], { dtype }));
}

/** Blocks gradient flow: the value passes, the derivative is zero. */
export const stopGradient = (x: TensorLike): Tensor => wrap(build("stopGradient", [asTensor(x).node]));

export { isTensor };
