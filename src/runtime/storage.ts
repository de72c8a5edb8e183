// Buffers with reference counts, and the accounting behind memory().
import type { Backend, DeviceBuffer } from "../backends/backend.js";

export class Storage {
  refs = 0;
  constructor(
    readonly backend: Backend,
    readonly buf: DeviceBuffer,
    readonly bytes: number,
  ) {
    live.add(this);
  }

  retain(): this {
    this.refs++;
    return this;
  }

  release(): void {
    if (--this.refs <= 0 && live.has(this)) {
      live.delete(this);
      this.backend.free(this.buf);
    }
  }
}

const live = new Set<Storage>();

/** Allocates a storage of at least one byte (zero-size tensors still get a buffer). */
export function allocStorage(backend: Backend, bytes: number): Storage {
  return new Storage(backend, backend.alloc(Math.max(bytes, 1)), bytes);
}

/** Live buffers and their total size in bytes. */
export function memory(): { buffers: number; bytes: number } {
  let bytes = 0;
  for (const s of live) bytes += s.bytes;
  return { buffers: live.size, bytes };
}
