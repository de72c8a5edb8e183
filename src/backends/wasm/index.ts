// The wasm backend: WebAssembly generated at run time from kernel IR (SIMD128 where it applies),
// a heap inside one WebAssembly.Memory, and a packed-panel GEMM. Register it with
// registerBackend("wasm", createWasmBackend, priority) where wasmAvailable() holds.
export { createWasmBackend, type WasmBackend, type WasmBackendOptions } from "./runtime.js";
export { wasmAvailable, simdAvailable, relaxedSimdAvailable } from "./features.js";
export { renderKernel, type RenderOptions, type Rendered } from "./render.js";
