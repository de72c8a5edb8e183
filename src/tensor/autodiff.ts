// The user-facing autodiff API over pytrees: grad, valueAndGrad, vjp, jvp, and backward() on
// variables. Each builds gradient nodes with the graph transform in autodiff/.
import { isFloat } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { vjpGraph } from "../autodiff/vjp.js";
import { build, toposort, type Node } from "../graph/node.js";
import { realize } from "../runtime/realize.js";
import { fullNode, asTensor, type TensorLike } from "./convert.js";
import { untrack } from "./handle.js";
import { leaves, mapTree } from "./pytree.js";
import { Tensor, leafOf, nextUid } from "./tensor.js";

export interface GradOptions {
  /** Which arguments to differentiate: one index (the gradient is returned alone) or a list (a tuple is returned). */
  argnums?: number | readonly number[];
  /** f returns [value, aux]: aux is passed through and not differentiated. */
  hasAux?: boolean;
}

function markInputs(args: unknown[], argnums: readonly number[]): { args: unknown[]; inputs: Tensor[][] } {
  const inputs: Tensor[][] = [];
  const out = args.map((a, i) => {
    if (!argnums.includes(i)) return a;
    const list: Tensor[] = [];
    const mapped = mapTree(a, (t) => {
      if (!isFloat(t.dtype))
        throw new DTypeError("grad", `can only differentiate with respect to float tensors, got ${t.dtype}`);
      const w = new Tensor(build("input", [t.node], { uid: nextUid() }));
      list.push(w);
      return w;
    });
    inputs[argnums.indexOf(i)] = list;
    return mapped;
  });
  return { args: out, inputs };
}

type Fn = (...args: never[]) => unknown;

/** value and gradient of a scalar function with respect to the `argnums` arguments. */
export function valueAndGrad<F extends Fn>(
  f: F,
  opts: GradOptions = {},
): (...args: Parameters<F>) => [ReturnType<F>, unknown] {
  const nums = typeof opts.argnums === "number" ? [opts.argnums] : (opts.argnums ?? [0]);
  return (...args) => {
    for (const n of nums)
      if (n >= args.length) throw new ValueError("grad", `argnums ${n} is out of range for ${args.length} arguments`);
    const { args: marked, inputs } = markInputs(args, nums);
    const result = (f as unknown as (...a: unknown[]) => unknown)(...marked);
    const [value, aux] = opts.hasAux ? (result as [unknown, unknown]) : [result, undefined];
    if (!(value instanceof Tensor)) throw new ValueError("grad", "f must return a tensor");
    if (value.size !== 1) throw new ShapeError("grad", `f must return a scalar, got shape ${fmtShape(value.shape)}`);
    const flat = inputs.flat();
    const gs = vjpGraph(
      [value.node],
      [fullNode(1, value.shape, value.dtype)],
      flat.map((t) => t.node),
    ).map((n) => new Tensor(n));
    let k = 0;
    const grads = nums.map((n) => mapTree(args[n], () => gs[k++]));
    const g = typeof opts.argnums === "number" || opts.argnums === undefined ? grads[0] : grads;
    return [(opts.hasAux ? [value, aux] : value) as ReturnType<F>, g];
  };
}

/** The gradient of a scalar function; `grad(f)(x)` has the structure of x. */
export function grad<F extends Fn>(f: F, opts?: { argnums?: number }): (...args: Parameters<F>) => Parameters<F>[0];
export function grad<F extends Fn>(f: F, opts: GradOptions): (...args: Parameters<F>) => unknown;
export function grad<F extends Fn>(f: F, opts: GradOptions = {}): (...args: Parameters<F>) => unknown {
  const vg = valueAndGrad(f, opts);
  return (...args) => {
    const [v, g] = vg(...args);
    return opts.hasAux ? [g, (v as unknown as [unknown, unknown])[1]] : g;
  };
}

/** Evaluates f at xs and returns [f(xs), vjpFn]: vjpFn(cotangent) gives one cotangent per x. */
export function vjp<T>(f: (...xs: Tensor[]) => T, ...xs: TensorLike[]): [T, (ct: unknown) => Tensor[]] {
  const inputs = xs.map((x) => new Tensor(build("input", [asTensor(x).node], { uid: nextUid() })));
  const out = f(...inputs);
  const outs = leaves(out);
  return [
    out,
    (ct) => {
      const cts = leaves(ct);
      if (cts.length !== outs.length)
        throw new ValueError("vjp", `expected ${outs.length} cotangents, got ${cts.length}`);
      cts.forEach((c, i) => {
        const o = outs[i] as Tensor;
        if (c.shape.join() !== o.shape.join())
          throw new ShapeError("vjp", `cotangent ${fmtShape(c.shape)} does not match output ${fmtShape(o.shape)}`);
      });
      return vjpGraph(
        outs.map((o) => o.node),
        cts.map((c, i) => castTo(c.node, (outs[i] as Tensor).node)),
        inputs.map((t) => t.node),
      ).map((n) => new Tensor(n));
    },
  ];
}

const castTo = (n: Node, like: Node): Node => (n.dtype === like.dtype ? n : build("cast", [n], { dtype: like.dtype }));

/**
 * Forward mode: [f(primals), J·tangents]. Computed as the transpose of the (linear) vjp, so
 * every op with a vjp rule has a jvp too.
 */
export function jvp(f: (...xs: Tensor[]) => Tensor, primals: TensorLike[], tangents: TensorLike[]): [Tensor, Tensor] {
  const [out, back] = vjp(f, ...primals);
  const u = new Tensor(build("input", [fullNode(0, out.shape, out.dtype)], { uid: nextUid() }));
  const gs = back(u);
  const ts = tangents.map((t) => asTensor(t));
  const dots = gs.map((g, i) =>
    build("sum", [build("mul", [g.node, castTo((ts[i] as Tensor).node, g.node)])], { axes: g.shape.map((_, k) => k) }),
  );
  const total = dots.slice(1).reduce((a, b) => build("add", [a, b]), dots[0] as Node);
  const scalar = build("reshape", [total], { shape: [] });
  const [t] = vjpGraph([scalar], [fullNode(1, [], scalar.dtype)], [u.node]);
  return [out, new Tensor(t as Node)];
}

/** Tensors created with `variable(...)` that are still alive, for backward(). */
const variables = new Set<WeakRef<Tensor>>();

/** A fresh leaf tensor whose gradient `backward()` fills in `.grad`. */
export function variable(x: TensorLike): Tensor {
  const t = new Tensor(leafOf(asTensor(x).node));
  untrack(t);
  t.requiresGrad = true;
  variables.add(new WeakRef(t));
  return t;
}

/** Fills `.grad` (accumulating) on every variable `loss` depends on; loss must be a scalar. */
export function backward(loss: Tensor, cotangent?: Tensor): void {
  if (!cotangent && loss.size !== 1)
    throw new ShapeError("backward", `loss must be a scalar, got shape ${fmtShape(loss.shape)}`);
  const inGraph = new Set(toposort([loss.node]));
  const vars: Tensor[] = [];
  for (const ref of variables) {
    const v = ref.deref();
    if (!v || v.isDisposed) variables.delete(ref);
    else if (v.requiresGrad && inGraph.has(v.node)) vars.push(v);
  }
  if (!vars.length) return;
  const ct = cotangent ? castTo(cotangent.node, loss.node) : fullNode(1, loss.shape, loss.dtype);
  const gs = vjpGraph(
    [loss.node],
    [ct],
    vars.map((v) => v.node),
  );
  const total = gs.map((g, i) => {
    const prev = (vars[i] as Tensor).grad;
    return prev && !prev.isDisposed ? build("add", [prev.node, g]) : g;
  });
  // the loss is computed in the same plan, so it stays readable after the parameters change
  realize([...total, loss.node]);
  vars.forEach((v, i) => {
    v.grad?.dispose();
    v.grad = new Tensor(leafOf(total[i] as Node));
    untrack(v.grad);
  });
}
