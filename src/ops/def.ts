// The shape of one op definition: shape rule, dtype rule, vjp and lowering in one object.
import type { DType, TypedArray } from "../core/dtype.js";
import type { Expr } from "../core/alu.js";
import type { Shape, View } from "../core/shape.js";

/** Builds graph nodes of type N; autodiff and composites hand one to vjp rules and decompositions. */
export interface Builder<N> {
  call(op: string, inputs: readonly N[], params?: object): N;
  shape(n: N): Shape;
  dtype(n: N): DType;
}

/** What a vjp rule is given: the inputs, the op's output, the output's cotangent and params. */
export interface VjpCtx<N, P> {
  readonly b: Builder<N>;
  readonly x: readonly N[];
  readonly out: N;
  readonly g: N;
  readonly p: P;
}

/** What an `expr` lowering is given: output index variables and a way to read inputs. */
export interface LowerCtx {
  readonly idx: readonly Expr[];
  readonly outShape: Shape;
  readonly outDtype: DType;
  readonly inShapes: readonly Shape[];
  readonly inDtypes: readonly DType[];
  /** The value of input `i` at multi-index `index`; reads nothing where `valid` is false (the value is then 0). */
  load(i: number, index: readonly Expr[], valid?: Expr): Expr;
}

export type ReduceOp = "sum" | "max" | "prod" | "argmax";

export type Lowering<P> =
  /** Each output element is a scalar expression of input elements (elementwise ops, views, gather, iota). */
  | {
      readonly kind: "expr";
      expr(ctx: LowerCtx, p: P): Expr;
      /** For views: the strided window of the output, given the input's, when no copy is needed (else null). */
      view?(v: View, p: P, outShape: Shape): View | null;
    }
  /** Reduction over `axes` (kept as size-1 dims). */
  | { readonly kind: "reduce"; readonly op: ReduceOp }
  /** Leaves whose values come from the host (constants, random numbers). */
  | { readonly kind: "source"; host?(p: P, shape: Shape, dtype: DType): TypedArray }
  /** A routine a backend may supply; the portable decomposition is written with other primitives. */
  | { readonly kind: "routine"; readonly routine: string; decompose<N>(b: Builder<N>, x: readonly N[], p: P): N };

export interface OpDef<P extends object = object> {
  readonly arity: number;
  /** Output shape; throws ShapeError naming the op on a mismatch. */
  shape(inShapes: readonly Shape[], p: P, inDtypes: readonly DType[]): number[];
  /** Output dtype; throws DTypeError naming the op on a mismatch. */
  dtype(inDtypes: readonly DType[], p: P): DType;
  /** Cotangent of each input (null where not differentiable); null for ops with no gradient at all. */
  vjp: (<N>(c: VjpCtx<N, P>) => (N | null)[]) | null;
  lower: Lowering<P>;
}

/** Identity helper that fixes the params type of one definition. */
export function defineOp<P extends object = Record<string, never>>(def: OpDef<P>): OpDef<P> {
  return def;
}
