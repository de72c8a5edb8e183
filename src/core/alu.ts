// The scalar instruction set shared by op lowerings (ops/) and every backend renderer: a kernel's
// body is a tree of these expressions over loop indices and buffer loads.
import type { DType } from "./dtype.js";
import { castScalar, isFloat } from "./dtype.js";

/** Unary ALU instructions. */
export const UNARY_ALU = [
  "neg",
  "recip",
  "exp",
  "log",
  "expm1",
  "log1p",
  "sin",
  "cos",
  "sqrt",
  "tanh",
  "erf",
  "floor",
  "round",
  "abs",
  "sign",
  "not",
] as const;
/** Binary ALU instructions. `idiv` is floor division on integers; `mod` takes the divisor's sign. */
export const BINARY_ALU = [
  "add",
  "sub",
  "mul",
  "div",
  "idiv",
  "mod",
  "pow",
  "max",
  "min",
  "cmplt",
  "cmpeq",
  "and",
  "or",
] as const;

export type UnaryAlu = (typeof UNARY_ALU)[number];
export type BinaryAlu = (typeof BINARY_ALU)[number];
/** Every ALU instruction: a renderer's table is typed over this union, so a new one fails to compile until handled. */
export type AluOp = UnaryAlu | BinaryAlu | "where" | "cast";

/** A scalar expression evaluated once per output element (or per reduction step). */
export type Expr =
  | { readonly k: "const"; readonly v: number; readonly dtype: DType }
  /** Loop variable `i` (an int32 index). */
  | { readonly k: "var"; readonly i: number }
  /** Element `idx` of kernel input `buf`; when `valid` is given and false, the value is 0 and nothing is read. */
  | { readonly k: "load"; readonly buf: number; readonly idx: Expr; readonly valid?: Expr; readonly dtype: DType }
  | { readonly k: "alu"; readonly op: AluOp; readonly args: readonly Expr[]; readonly dtype: DType };

export function exprDType(e: Expr): DType {
  return e.k === "var" ? "int32" : e.dtype;
}

const COMPARE = new Set<AluOp>(["cmplt", "cmpeq", "and", "or", "not"]);

export const cnst = (v: number, dtype: DType): Expr => ({ k: "const", v: castScalar(v, dtype), dtype });
export const idx = (i: number): Expr => ({ k: "var", i });

/** Builds an ALU node, folding constants and the identities that index arithmetic produces. */
export function alu(op: AluOp, args: readonly Expr[], dtype?: DType): Expr {
  const a = args[0];
  const b = args[1];
  const dt = dtype ?? (COMPARE.has(op) ? "bool" : a ? exprDType(op === "where" && args[1] ? args[1] : a) : "float32");
  if (a && b && args.length === 2 && dt === "int32") {
    const ca = a.k === "const" ? a.v : undefined;
    const cb = b.k === "const" ? b.v : undefined;
    if (ca !== undefined && cb !== undefined) {
      if (op === "add") return cnst(ca + cb, dt);
      if (op === "mul") return cnst(ca * cb, dt);
      if (op === "sub") return cnst(ca - cb, dt);
    }
    if (op === "add" && ca === 0) return b;
    if ((op === "add" || op === "sub") && cb === 0) return a;
    if (op === "mul" && (ca === 0 || cb === 0)) return cnst(0, dt);
    if (op === "mul" && ca === 1) return b;
    if ((op === "mul" || op === "idiv") && cb === 1) return a;
    if (op === "mod" && cb === 1) return cnst(0, dt);
  }
  if (op === "where" && a?.k === "const") return (a.v ? args[1] : args[2]) ?? a;
  if (op === "cast" && a && exprDType(a) === dt) return a;
  return { k: "alu", op, args, dtype: dt };
}

/** Whether `d` is a float dtype; re-exported for lowerings. */
export const floatDType = isFloat;
