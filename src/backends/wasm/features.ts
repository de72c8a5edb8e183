// Feature probes: tiny modules checked with WebAssembly.validate (nothing is compiled or run).
import { Code, ModuleBuilder } from "./emit.js";

function validates(body: (c: Code) => void): boolean {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.validate !== "function") return false;
  const m = new ModuleBuilder();
  const f = m.declare("f", []);
  const c = new Code([]);
  body(c);
  m.define(f, c);
  try {
    return WebAssembly.validate(m.bytes());
  } catch {
    return false;
  }
}

const ZERO = new Array<number>(16).fill(0);

/** Whether the engine runs WebAssembly with a growable memory at all. */
export function wasmAvailable(): boolean {
  return typeof WebAssembly === "object" && typeof WebAssembly.Memory === "function" && validates(() => {});
}

/** SIMD128 (standard in Node ≥ 16 and current browsers). */
export function simdAvailable(): boolean {
  return validates((c) => c.v128(ZERO).op("drop"));
}

/** Relaxed SIMD (behind --experimental-wasm-relaxed-simd in Node 20): used for fused multiply-add in GEMM. */
export function relaxedSimdAvailable(): boolean {
  return validates((c) => c.v128(ZERO).v128(ZERO).v128(ZERO).v("f32x4.relaxed_madd").op("drop"));
}
