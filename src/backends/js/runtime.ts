// The js backend: interprets kernel IR by compiling each expression tree into nested closures.
// Slow and simple on purpose: it is the reference every other backend is tested against.
import type { Expr } from "../../core/alu.js";
import { castScalar, viewBytes, type TypedArray } from "../../core/dtype.js";
import { REDUCE_INIT } from "../../kernel/ir.js";
import { printKernel } from "../../kernel/print.js";
import { canCodegen, renderJs } from "./codegen.js";
import type { Backend, DeviceBuffer, Program } from "../backend.js";
import { ALU_JS } from "../../core/scalar.js";

interface JsBuffer extends DeviceBuffer {
  readonly data: ArrayBuffer;
}

type Eval = (v: Int32Array, b: readonly TypedArray[]) => number;

interface JsProgram extends Program {
  readonly body: Eval;
  /** The generated function, for the "codegen" variant. */
  readonly fn?: (...args: unknown[]) => void;
}

function compileExpr(e: Expr): Eval {
  switch (e.k) {
    case "const": {
      const c = e.v;
      return () => c;
    }
    case "var": {
      const i = e.i;
      return (v) => v[i] as number;
    }
    case "load": {
      const buf = e.buf;
      const idx = compileExpr(e.idx);
      if (!e.valid) return (v, b) => (b[buf] as TypedArray)[idx(v, b)] as number;
      const ok = compileExpr(e.valid);
      return (v, b) => (ok(v, b) ? ((b[buf] as TypedArray)[idx(v, b)] as number) : 0);
    }
    case "alu": {
      const args = e.args.map(compileExpr);
      const [a = () => 0, b = () => 0, c = () => 0] = args;
      const dt = e.dtype;
      if (e.op === "where") return (v, bs) => (a(v, bs) ? b(v, bs) : c(v, bs));
      if (e.op === "cast") return (v, bs) => castScalar(a(v, bs), dt);
      if (dt === "int32") {
        if (e.op === "mul") return (v, bs) => Math.imul(a(v, bs), b(v, bs));
        const f = ALU_JS[e.op];
        return (v, bs) => f(a(v, bs), b(v, bs), 0) | 0;
      }
      const f = ALU_JS[e.op];
      if (args.length === 1) return (v, bs) => f(a(v, bs), 0, 0);
      return (v, bs) => f(a(v, bs), b(v, bs), 0);
    }
  }
}

function run(p: JsProgram, out: TypedArray, bufs: readonly TypedArray[]): void {
  const k = p.kernel;
  const rank = k.outShape.length;
  const v = new Int32Array(rank * 2);
  const total = k.outShape.reduce((a, b) => a * b, 1);
  const red = k.reduce;
  const store = (i: number, x: number): void => {
    out[i] = k.outDtype === "bool" ? (x !== 0 ? 1 : 0) : x; // NaN is nonzero: true
  };
  for (let o = 0; o < total; o++) {
    let rem = o;
    for (let d = rank - 1; d >= 0; d--) {
      const n = k.outShape[d] as number;
      v[d] = rem % n;
      rem = (rem - (v[d] as number)) / n;
    }
    if (!red) {
      store(o, p.body(v, bufs));
      continue;
    }
    const count = red.sizes.reduce((a, b) => a * b, 1);
    let acc = REDUCE_INIT[red.op];
    let best = 0;
    for (let r = 0; r < count; r++) {
      let rr = r;
      for (let j = red.axes.length - 1; j >= 0; j--) {
        const n = red.sizes[j] as number;
        const a = red.axes[j] as number;
        v[rank + a] = rr % n;
        rr = (rr - (v[rank + a] as number)) / n;
      }
      const x = p.body(v, bufs);
      switch (red.op) {
        case "sum":
          acc += x;
          break;
        case "prod":
          // int32 products wrap around like every int32 op (float64 would lose the low bits)
          acc = k.outDtype === "int32" ? Math.imul(acc, x) : acc * x;
          break;
        case "max":
          acc = Number.isNaN(acc) || Number.isNaN(x) ? NaN : Math.max(acc, x);
          break;
        case "argmax":
          if (!Number.isNaN(acc) && (x > acc || Number.isNaN(x))) {
            acc = x;
            best = r;
          }
          break;
      }
    }
    store(o, red.op === "argmax" ? best : acc);
  }
}

/** Creates the reference backend. */
export function createJsBackend(): Backend {
  const cache = new Map<string, JsProgram>();
  return {
    name: "js",
    alloc: (bytes): JsBuffer => ({ bytes, data: new ArrayBuffer(bytes) }),
    free: () => {},
    write: (buf, data) => new Uint8Array((buf as JsBuffer).data).set(data),
    read: (buf, bytes) => new Uint8Array((buf as JsBuffer).data, 0, bytes).slice(),
    compile: (kernel, variant = "closure") => {
      const key = `${variant}|${kernel.key}`;
      let p = cache.get(key);
      if (!p) {
        const fn =
          variant === "codegen"
            ? (new Function(`return ${renderJs(kernel)}`)() as (...args: unknown[]) => void)
            : undefined;
        p = { kernel, body: compileExpr(kernel.body), ...(fn ? { fn } : {}) };
        cache.set(key, p);
      }
      return p;
    },
    variants: () => (canCodegen ? ["closure", "codegen"] : ["closure"]),
    run: (program, out, args) => {
      const k = program.kernel;
      const bufs = args.map((a, i) => viewBytes(k.inputs[i] ?? "float32", (a as JsBuffer).data));
      const o = viewBytes(k.outDtype, (out as JsBuffer).data);
      const p = program as JsProgram;
      if (p.fn) p.fn(...bufs, o, ALU_JS, castScalar);
      else run(p, o, bufs);
    },
    render: printKernel,
    routines: {},
  };
}
