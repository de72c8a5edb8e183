// The backend contract: bytes in, bytes out, compile a kernel, run it. A backend knows nothing of
// tensors, graphs or autodiff; it sees only kernel IR and buffers.
import type { Kernel } from "../kernel/ir.js";

/** A block of device memory; the backend decides what it holds. */
export interface DeviceBuffer {
  readonly bytes: number;
}

/** A compiled kernel, ready to run. */
export interface Program {
  readonly kernel: Kernel;
}

/** A fast routine (e.g. GEMM); args are contiguous buffers of the op's inputs, in order. */
export type Routine = (
  out: DeviceBuffer,
  args: readonly DeviceBuffer[],
  shapes: readonly (readonly number[])[],
  dtype: string,
) => void;

export interface Backend {
  readonly name: string;
  alloc(bytes: number): DeviceBuffer;
  free(buf: DeviceBuffer): void;
  /** Copies `data` into the start of `buf`. */
  write(buf: DeviceBuffer, data: Uint8Array): void;
  /** Copies the first `bytes` bytes of `buf` out. */
  read(buf: DeviceBuffer, bytes: number): Uint8Array;
  /** Compiles a kernel; `variant` picks one of `variants(kernel)` (the first is the default). */
  compile(kernel: Kernel, variant?: string): Program;
  /** Alternative implementations of a kernel that autotuning (O3) times and chooses between. */
  variants?(kernel: Kernel): readonly string[];
  run(program: Program, out: DeviceBuffer, args: readonly DeviceBuffer[]): void;
  /** The generated source of a kernel, for explain() (a backend without codegen may omit it). */
  render?(kernel: Kernel): string;
  /** Routines this backend supplies, by name (ops with a `routine` lowering). */
  readonly routines: Readonly<Record<string, Routine>>;
}
