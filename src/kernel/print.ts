// Readable text of kernel IR: the "source" a backend without a code generator shows in explain().
import type { Expr } from "../core/alu.js";
import type { Kernel } from "./ir.js";

const INFIX: Partial<Record<string, string>> = {
  add: "+",
  sub: "-",
  mul: "*",
  div: "/",
  idiv: "//",
  mod: "%",
  cmplt: "<",
  cmpeq: "==",
  and: "&&",
  or: "||",
};

/** An expression as C-like text; `vars` names loop variables. */
export function printExpr(e: Expr, vars: (i: number) => string): string {
  switch (e.k) {
    case "const":
      return e.dtype === "bool"
        ? e.v
          ? "true"
          : "false"
        : Number.isInteger(e.v) && e.dtype !== "int32"
          ? `${e.v}.0`
          : String(e.v);
    case "var":
      return vars(e.i);
    case "load": {
      const at = `in${e.buf}[${printExpr(e.idx, vars)}]`;
      return e.valid ? `(${printExpr(e.valid, vars)} ? ${at} : 0)` : at;
    }
    case "alu": {
      const a = e.args.map((x) => printExpr(x, vars));
      const op = INFIX[e.op];
      if (op && a.length === 2) return `(${a[0]} ${op} ${a[1]})`;
      if (e.op === "where") return `(${a[0]} ? ${a[1]} : ${a[2]})`;
      if (e.op === "cast") return `(${e.dtype})${a[0]}`;
      return `${e.op}(${a.join(", ")})`;
    }
  }
}

/** A kernel as a loop nest in C-like pseudo-code. */
export function printKernel(k: Kernel): string {
  const rank = k.outShape.length;
  const name = (i: number): string => (i < rank ? `i${i}` : `r${i - rank}`);
  const ins = k.inputs.map((d, i) => `const ${d} in${i}[]`).join(", ");
  const lines = [
    `kernel ${k.name}(${k.outDtype} out${k.outShape.length ? `[${k.outShape.join("×")}]` : ""}${ins ? `, ${ins}` : ""})`,
  ];
  const loops = k.outShape.map((d, i) => `for (i${i} = 0; i${i} < ${d}; i${i}++)`);
  lines.push(...loops.map((l, i) => `${"  ".repeat(i)}${l}`));
  const pad = "  ".repeat(rank);
  const outIdx = k.outShape.length ? k.outShape.map((_, i) => `i${i}`).join(", ") : "0";
  const body = printExpr(k.body, name);
  if (!k.reduce) {
    lines.push(`${pad}out[${outIdx}] = ${body};`);
  } else {
    const r = k.reduce;
    lines.push(`${pad}acc = ${r.op === "sum" ? "0" : r.op === "prod" ? "1" : "-inf"};`);
    r.axes.forEach((a, j) => lines.push(`${pad}${"  ".repeat(j)}for (r${a} = 0; r${a} < ${r.sizes[j]}; r${a}++)`));
    const inner = `${pad}${"  ".repeat(r.axes.length)}`;
    lines.push(
      r.op === "sum"
        ? `${inner}acc += ${body};`
        : r.op === "prod"
          ? `${inner}acc *= ${body};`
          : r.op === "max"
            ? `${inner}acc = max(acc, ${body});`
            : `${inner}acc, arg = argmax(acc, arg, ${body}, r${r.axes[0]});`,
    );
    lines.push(`${pad}out[${outIdx}] = ${r.op === "argmax" ? "arg" : "acc"};`);
  }
  return lines.join("\n");
}

/** Floating-point operations of one run of a kernel (ALU instructions on float values × iterations). */
export function kernelFlops(k: Kernel): number {
  let ops = 0;
  const count = (e: Expr): void => {
    if (e.k === "alu") {
      if (e.dtype === "float32" || e.dtype === "float64") ops++;
      e.args.forEach(count);
    }
  };
  count(k.body);
  const outer = k.outShape.reduce((a, b) => a * b, 1);
  const inner = k.reduce ? k.reduce.sizes.reduce((a, b) => a * b, 1) : 1;
  return (ops + (k.reduce ? 1 : 0)) * outer * inner;
}
