// Typed wrappers over a Builder, so vjp rules and decompositions read like math.
import type { DType } from "../core/dtype.js";
import type { Shape } from "../core/shape.js";
import type { Builder } from "./def.js";

/** Primitive calls on nodes of type N. Binary calls expect equal shapes and dtypes. */
export class Ops<N> {
  constructor(readonly b: Builder<N>) {}
  shape = (x: N): Shape => this.b.shape(x);
  dtype = (x: N): DType => this.b.dtype(x);
  private u = (op: string, x: N, p?: object): N => this.b.call(op, [x], p);
  private bin = (op: string, x: N, y: N): N => this.b.call(op, [x, y]);

  full = (value: number, shape: Shape, dtype: DType): N => this.b.call("full", [], { value, shape: [...shape], dtype });
  /** A constant with the shape and dtype of `like`. */
  fullLike = (value: number, like: N): N => this.full(value, this.shape(like), this.dtype(like));
  zerosLike = (like: N): N => this.fullLike(0, like);

  neg = (x: N): N => this.u("neg", x);
  recip = (x: N): N => this.u("recip", x);
  exp = (x: N): N => this.u("exp", x);
  log = (x: N): N => this.u("log", x);
  sin = (x: N): N => this.u("sin", x);
  cos = (x: N): N => this.u("cos", x);
  sqrt = (x: N): N => this.u("sqrt", x);
  sign = (x: N): N => this.u("sign", x);
  floor = (x: N): N => this.u("floor", x);
  not = (x: N): N => this.u("not", x);
  cast = (x: N, dtype: DType): N => (this.dtype(x) === dtype ? x : this.u("cast", x, { dtype }));

  add = (x: N, y: N): N => this.bin("add", x, y);
  sub = (x: N, y: N): N => this.bin("sub", x, y);
  mul = (x: N, y: N): N => this.bin("mul", x, y);
  div = (x: N, y: N): N => this.bin("div", x, y);
  pow = (x: N, y: N): N => this.bin("pow", x, y);
  lt = (x: N, y: N): N => this.bin("cmplt", x, y);
  eq = (x: N, y: N): N => this.bin("cmpeq", x, y);
  and = (x: N, y: N): N => this.bin("and", x, y);
  where = (c: N, x: N, y: N): N => this.b.call("where", [c, x, y]);
  /** x · s for a scalar s. */
  scale = (x: N, s: number): N => this.mul(x, this.fullLike(s, x));
  /** A bool mask as 0/1 in the dtype of `like`. */
  mask = (m: N, like: N): N => this.cast(m, this.dtype(like));

  sum = (x: N, axes: readonly number[]): N => (axes.length ? this.b.call("sum", [x], { axes: [...axes] }) : x);
  reshape = (x: N, shape: Shape): N => this.b.call("reshape", [x], { shape: [...shape] });
  expand = (x: N, shape: Shape): N => this.b.call("expand", [x], { shape: [...shape] });
  permute = (x: N, perm: readonly number[]): N => this.b.call("permute", [x], { perm: [...perm] });
  iota = (shape: Shape, axis: number, dtype: DType = "int32"): N =>
    this.b.call("iota", [], { shape: [...shape], axis, dtype });

  /** Sums `g` down to `shape` (same rank), over the axes where `shape` has size 1 and `g` does not. */
  sumTo = (g: N, shape: Shape): N => {
    const gs = this.shape(g);
    const axes = gs.flatMap((d, i) => (d !== shape[i] ? [i] : []));
    return this.sum(g, axes);
  };
}
