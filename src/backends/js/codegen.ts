// A second way for the js backend to run a kernel: render it to JavaScript source and compile it
// with `new Function` (unavailable where a page's content security policy forbids it). Same ALU
// definitions as the interpreter; usually several times faster. Chosen per kernel by autotuning (O3).
import type { Expr } from "../../core/alu.js";
import type { Kernel } from "../../kernel/ir.js";

const INFIX: Partial<Record<string, string>> = { add: "+", sub: "-", mul: "*", div: "/" };

function render(e: Expr): string {
  switch (e.k) {
    case "const":
      return Number.isFinite(e.v) ? `(${e.v})` : e.v > 0 ? "Infinity" : e.v < 0 ? "-Infinity" : "NaN";
    case "var":
      return `v${e.i}`;
    case "load": {
      const at = `b${e.buf}[${render(e.idx)}]`;
      return e.valid ? `(${render(e.valid)} ? ${at} : 0)` : at;
    }
    case "alu": {
      const a = e.args.map(render);
      const int = e.dtype === "int32";
      if (e.op === "where") return `(${a[0]} ? ${a[1]} : ${a[2]})`;
      if (e.op === "cast") return `C(${a[0]}, "${e.dtype}")`;
      if (e.op === "cmplt") return `(${a[0]} < ${a[1]} ? 1 : 0)`;
      if (e.op === "cmpeq") return `(${a[0]} === ${a[1]} ? 1 : 0)`;
      if (e.op === "and") return `(${a[0]} && ${a[1]} ? 1 : 0)`;
      if (e.op === "or") return `(${a[0]} || ${a[1]} ? 1 : 0)`;
      if (e.op === "not") return `(${a[0]} ? 0 : 1)`;
      if (e.op === "neg") return int ? `((-${a[0]}) | 0)` : `(-${a[0]})`;
      if (int && e.op === "mul") return `Math.imul(${a[0]}, ${a[1]})`;
      const op = INFIX[e.op];
      const s = op ? `(${a[0]} ${op} ${a[1]})` : `F.${e.op}(${a.join(", ")})`;
      return int ? `(${s} | 0)` : s;
    }
  }
}

/** JavaScript source of a function (b0…bn, out, F, C) computing the kernel. */
export function renderJs(k: Kernel): string {
  const rank = k.outShape.length;
  const lines: string[] = [];
  const ind = (d: number): string => "  ".repeat(d + 1);
  lines.push(`${ind(0)}let o = 0;`);
  k.outShape.forEach((n, d) => lines.push(`${ind(d)}for (let v${d} = 0; v${d} < ${n}; v${d}++) {`));
  const body = render(k.body);
  const store = (x: string): string => (k.outDtype === "bool" ? `out[o++] = ${x} !== 0 ? 1 : 0;` : `out[o++] = ${x};`);
  if (!k.reduce) {
    lines.push(`${ind(rank)}${store(body)}`);
  } else {
    const r = k.reduce;
    const init = r.op === "sum" ? "0" : r.op === "prod" ? "1" : "-Infinity";
    lines.push(`${ind(rank)}let acc = ${init}, best = 0, pos = 0;`);
    r.axes.forEach((a, j) =>
      lines.push(`${ind(rank + j)}for (let v${rank + a} = 0; v${rank + a} < ${r.sizes[j]}; v${rank + a}++) {`),
    );
    const d = rank + r.axes.length;
    lines.push(`${ind(d)}const x = ${body};`);
    if (r.op === "sum") lines.push(`${ind(d)}acc += x;`);
    else if (r.op === "prod")
      lines.push(k.outDtype === "int32" ? `${ind(d)}acc = Math.imul(acc, x);` : `${ind(d)}acc *= x;`);
    else if (r.op === "max") lines.push(`${ind(d)}acc = acc !== acc || x !== x ? NaN : Math.max(acc, x);`);
    else lines.push(`${ind(d)}if (acc === acc && (x > acc || x !== x)) { acc = x; best = pos; }`, `${ind(d)}pos++;`);
    r.axes.forEach((_, j) => lines.push(`${ind(d - 1 - j)}}`));
    lines.push(`${ind(rank)}${store(r.op === "argmax" ? "best" : "acc")}`);
  }
  k.outShape.forEach((_, d) => lines.push(`${ind(rank - 1 - d)}}`));
  const params = k.inputs.map((_, i) => `b${i}`);
  return `(function k(${[...params, "out", "F", "C"].join(", ")}) {\n${lines.join("\n")}\n})`;
}

/** Whether this environment may compile generated JavaScript. */
export const canCodegen: boolean = (() => {
  try {
    return new Function("return 1")() === 1;
  } catch {
    return false;
  }
})();
