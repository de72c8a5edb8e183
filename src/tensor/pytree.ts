// Pytrees: nested arrays and plain objects with tensors at the leaves, flattened and rebuilt.
import { Tensor } from "./tensor.js";

export type Tree<T = Tensor> = T | readonly Tree<T>[] | { readonly [k: string]: Tree<T> };

/** The tensors of a tree in a fixed order (depth first, object keys in insertion order). */
export function leaves(tree: unknown): Tensor[] {
  const out: Tensor[] = [];
  const walk = (x: unknown): void => {
    if (x instanceof Tensor) out.push(x);
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype)
      Object.values(x).forEach(walk);
  };
  walk(tree);
  return out;
}

/** Rebuilds `tree` with each tensor leaf replaced by `f(leaf, index)`. */
export function mapTree(tree: unknown, f: (t: Tensor, i: number) => unknown): unknown {
  let i = 0;
  const walk = (x: unknown): unknown => {
    if (x instanceof Tensor) return f(x, i++);
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) {
      return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v)]));
    }
    return x;
  };
  return walk(tree);
}
