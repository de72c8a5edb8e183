// Reverse mode as a graph transform: cotangent nodes are built from each op's vjp rule, so the
// result is an ordinary graph (optimized, fused and differentiable again like any other).
import { isFloat } from "../core/dtype.js";
import { build, graphBuilder, toposort, type Node } from "../graph/node.js";
import type { OpDef } from "../ops/def.js";
import { opDef } from "../ops/registry.js";

/**
 * Cotangents of `wrt` given cotangents `cots` of `outputs`. An input that the outputs don't
 * depend on (or only through non-differentiable ops) gets a zero cotangent.
 */
export function vjpGraph(outputs: readonly Node[], cots: readonly Node[], wrt: readonly Node[]): Node[] {
  const order = toposort(outputs);
  const targets = new Set(wrt);
  const needed = new Set<Node>();
  for (const n of order) if (targets.has(n) || n.inputs.some((i) => needed.has(i))) needed.add(n);

  const ct = new Map<Node, Node>();
  const accumulate = (n: Node, g: Node): void => {
    const prev = ct.get(n);
    ct.set(n, prev ? build("add", [prev, g]) : g);
  };
  outputs.forEach((o, i) => {
    const c = cots[i];
    if (c && needed.has(o)) accumulate(o, c);
  });

  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k] as Node;
    const g = ct.get(n);
    if (!g || !n.inputs.some((i) => needed.has(i))) continue;
    const def = opDef(n.op) as OpDef<object>;
    if (!def.vjp) continue;
    const grads = def.vjp({ b: graphBuilder, x: n.inputs, out: n, g, p: n.params });
    n.inputs.forEach((inp, i) => {
      const gi = grads[i];
      if (gi && needed.has(inp) && isFloat(inp.dtype)) accumulate(inp, gi);
    });
  }
  return wrt.map((w) => ct.get(w) ?? build("full", [], { value: 0, shape: [...w.shape], dtype: w.dtype }));
}
