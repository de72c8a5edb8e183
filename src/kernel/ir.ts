// Kernel IR: one loop nest writing one output buffer. The body is a scalar expression (core/alu)
// over loop indices and loads from input buffers; a reduce kernel folds the body over extra axes.
import type { Expr } from "../core/alu.js";
import type { DType } from "../core/dtype.js";
import type { ReduceOp } from "../ops/def.js";

export interface Kernel {
  /** A readable name made of the ops it contains. */
  readonly name: string;
  /** Output shape; loop variable i (i < rank) indexes output axis i. */
  readonly outShape: readonly number[];
  readonly outDtype: DType;
  /** dtype of each input buffer, in load order. */
  readonly inputs: readonly DType[];
  /** The value per output element, or per reduction step. */
  readonly body: Expr;
  /**
   * For a reduction: output axes `axes` have size 1 and loop variable rank + a runs over
   * `sizes[j]` for a = axes[j]; the body's values are folded with `op` (argmax yields the
   * position along the single reduced axis).
   */
  readonly reduce?: { readonly op: ReduceOp; readonly axes: readonly number[]; readonly sizes: readonly number[] };
  /** Structural hash: equal kernels share compiled code. */
  readonly key: string;
}

/** The identity element of each reduction. */
export const REDUCE_INIT: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, argmax: -Infinity };

/** Visits every node of an expression, parents before children. */
export function walkExpr(e: Expr, f: (e: Expr) => void): void {
  f(e);
  if (e.k === "alu") for (const a of e.args) walkExpr(a, f);
  else if (e.k === "load") {
    walkExpr(e.idx, f);
    if (e.valid) walkExpr(e.valid, f);
  }
}

/** Canonical text of an expression, used for kernel keys. */
export function exprKey(e: Expr): string {
  switch (e.k) {
    case "const":
      return `${e.v}:${e.dtype}`;
    case "var":
      return `v${e.i}`;
    case "load":
      return `L${e.buf}:${e.dtype}[${exprKey(e.idx)}${e.valid ? `?${exprKey(e.valid)}` : ""}]`;
    case "alu":
      return `${e.op}:${e.dtype}(${e.args.map(exprKey).join(",")})`;
  }
}
