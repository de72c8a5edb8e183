// The order of the graph passes, kept in one place, and the optimization levels.
import { cseRules } from "./passes/cse.js";
import { foldRules } from "./passes/fold.js";
import { reassociateRules } from "./passes/reassociate.js";
import { simplifyRules } from "./passes/simplify.js";
import { countNodes, rewrite, type RewriteCounts, type Rule } from "./rewrite.js";
import type { Node } from "./node.js";

/**
 * O0: no passes, one kernel per op (compiles fastest). O1: fusion only. O2: all passes, fusion
 * and the memory plan (the default). O3: O2 plus autotuning of kernel parameters where a backend
 * has any.
 */
export type OptLevel = 0 | 1 | 2 | 3;

export interface Pass {
  readonly name: string;
  readonly rules: readonly Rule[];
}

/** The passes in the order they run; the sequence repeats until the graph stops changing. */
export const PASSES: readonly Pass[] = [
  { name: "cse", rules: cseRules },
  { name: "constant-folding", rules: foldRules },
  { name: "algebraic-simplification", rules: simplifyRules },
  { name: "reassociation", rules: reassociateRules },
];

export interface OptimizeResult {
  readonly roots: Node[];
  readonly rewrites: { rule: string; count: number }[];
  readonly nodesBefore: number;
  readonly nodesAfter: number;
}

const MAX_ROUNDS = 8;

/** Runs the passes of `level` over the graph under `roots`. */
export function optimize(roots: readonly Node[], level: OptLevel, passes: readonly Pass[] = PASSES): OptimizeResult {
  const nodesBefore = countNodes(roots);
  if (level < 2) return { roots: [...roots], rewrites: [], nodesBefore, nodesAfter: nodesBefore };
  const counts: RewriteCounts = new Map();
  let cur = [...roots];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const before = counts.size ? [...counts.values()].reduce((a, b) => a + b, 0) : 0;
    for (const p of passes) cur = rewrite(cur, p.rules, counts);
    const after = [...counts.values()].reduce((a, b) => a + b, 0);
    if (after === before) break;
  }
  const rewrites = [...counts.entries()].map(([rule, count]) => ({ rule, count }));
  return { roots: cur, rewrites, nodesBefore, nodesAfter: countNodes(cur) };
}
