// Backend selection: the registry of available backends and the current one.
import type { Backend } from "../backends/backend.js";
import { createJsBackend } from "../backends/js/runtime.js";
import { createWasmBackend, wasmAvailable } from "../backends/wasm/index.js";
import { ValueError } from "../core/errors.js";

interface Entry {
  readonly factory: () => Backend;
  readonly priority: number;
  instance?: Backend;
}

const registry = new Map<string, Entry>([["js", { factory: createJsBackend, priority: 0 }]]);
// WebAssembly (SIMD128) is the default wherever it runs; js stays the reference
if (wasmAvailable()) registry.set("wasm", { factory: createWasmBackend, priority: 1 });
let current: string | undefined;

/** Makes a backend available; the highest priority one is the default. */
export function registerBackend(name: string, factory: () => Backend, priority = 0): void {
  registry.set(name, { factory, priority });
}

/** Names of the registered backends, the default first. */
export function backends(): string[] {
  return [...registry.entries()].sort((a, b) => b[1].priority - a[1].priority).map(([n]) => n);
}

export function setBackend(name: string): void {
  if (!registry.has(name))
    throw new ValueError("setBackend", `unknown backend "${name}"; available: ${backends().join(", ")}`);
  current = name;
}

export function getBackend(): string {
  return current ?? (backends()[0] as string);
}

/** The backend instance by name (the current one by default), created on first use. */
export function backendInstance(name = getBackend()): Backend {
  const e = registry.get(name);
  if (!e) throw new ValueError("backend", `unknown backend "${name}"`);
  e.instance ??= e.factory();
  return e.instance;
}
