// The rewriting engine shared by the passes: rebuilds a graph bottom-up, applying rules at each
// node until none fires, and counts every rewrite by rule name.
import { build, toposort, type Node } from "./node.js";

/** A local rewrite: returns the replacement of `n` (built from n's inputs), or null. */
export interface Rule {
  readonly name: string;
  apply(n: Node): Node | null;
}

export type RewriteCounts = Map<string, number>;

const MAX_STEPS_PER_NODE = 32;

/** Rewrites the graph under `roots` (realized nodes are leaves); returns the new roots. */
export function rewrite(roots: readonly Node[], rules: readonly Rule[], counts: RewriteCounts): Node[] {
  const memo = new Map<Node, Node>();
  for (const n of toposort(roots, (x) => x.realized !== undefined)) {
    if (n.realized) {
      memo.set(n, n);
      continue;
    }
    const ins = n.inputs.map((i) => memo.get(i) ?? i);
    let cur = ins.every((x, i) => x === n.inputs[i]) ? n : build(n.op, ins, n.params);
    for (let step = 0; step < MAX_STEPS_PER_NODE; step++) {
      let next: Node | null = null;
      for (const r of rules) {
        next = cur.realized ? null : r.apply(cur);
        if (next && next !== cur) {
          counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
          break;
        }
        next = null;
      }
      if (!next) break;
      cur = next;
    }
    memo.set(n, cur);
  }
  return roots.map((r) => memo.get(r) ?? r);
}

/**
 * Number of distinct operations under `roots` that are not realized yet: the work left to do.
 * Constants (`full`, `iota`) are not counted: they are inlined into kernels and cost nothing.
 */
export function countNodes(roots: readonly Node[]): number {
  return toposort(roots, (x) => x.realized !== undefined).filter(
    (n) => !n.realized && n.op !== "full" && n.op !== "iota",
  ).length;
}

/** The value of a `full` node, if `n` is one. */
export function constValue(n: Node): number | undefined {
  return n.op === "full" ? (n.params as { value: number }).value : undefined;
}
