// The wasm backend's heap: blocks inside one WebAssembly.Memory, handed out by size class (16-byte
// granularity up to 256 bytes, then 8 classes per power of two, so at most 12.5% is wasted), with
// a free list per class for reuse, blocks at the top returned to the bump pointer, and growth of
// the memory (in 64 KiB pages) when the top reaches its end.

const PAGE = 65536;
/** Offsets below this are never handed out (0 stays an invalid address). */
const RESERVED = 16;

/** The size class (a multiple of 16) that a request of `bytes` is served from. */
export function sizeClass(bytes: number): number {
  const n = Math.max(16, Math.ceil(bytes / 16) * 16);
  if (n <= 256) return n;
  const step = 2 ** (Math.floor(Math.log2(n - 1)) - 3);
  return Math.ceil(n / step) * step;
}

export interface HeapStats {
  /** Bytes in live blocks (by class size). */
  readonly inUse: number;
  /** Bytes in free blocks waiting for reuse. */
  readonly cached: number;
  /** The bump pointer: everything above it is untouched. */
  readonly top: number;
  /** Current size of the memory. */
  readonly capacity: number;
  readonly maxBytes: number;
}

export class OutOfMemoryError extends Error {
  constructor(
    readonly requested: number,
    readonly limit: number,
    inUse: number,
  ) {
    super(
      `wasm backend: out of memory: cannot allocate ${requested} bytes (${inUse} bytes in use, memory limit ${limit} bytes)`,
    );
    this.name = "OutOfMemoryError";
  }
}

export class Heap {
  private top = RESERVED;
  private readonly freeLists = new Map<number, Set<number>>();
  /** Free blocks by end offset (to hand the top back to the bump pointer). */
  private readonly freeByEnd = new Map<number, number>();
  private readonly live = new Map<number, number>();
  private inUse = 0;
  private cached = 0;

  constructor(
    readonly memory: WebAssembly.Memory,
    readonly maxBytes: number,
  ) {}

  /** Allocates a 16-byte aligned block of at least `bytes` bytes; returns its offset. */
  alloc(bytes: number): number {
    if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`wasm backend: cannot allocate ${bytes} bytes`);
    const size = sizeClass(bytes);
    let block = this.takeFree(size, size);
    if (!block) {
      if (this.top + size <= this.memory.buffer.byteLength || this.grow(this.top + size)) {
        block = [this.top, size];
        this.top += size;
      } else {
        // the memory cannot grow: a free block up to twice as big still serves
        block = this.takeFree(size + 1, 2 * size);
        if (!block) throw new OutOfMemoryError(bytes, this.maxBytes, this.inUse);
      }
    }
    const [off, s] = block;
    this.live.set(off, s);
    this.inUse += s;
    return off;
  }

  free(offset: number): void {
    const size = this.live.get(offset);
    if (size === undefined) throw new Error(`wasm backend: free of offset ${offset}, which is not a live block`);
    this.live.delete(offset);
    this.inUse -= size;
    if (offset + size === this.top) {
      this.top = offset;
      // blocks freed earlier that now end at the top go back to the bump pointer too
      for (let o = this.freeByEnd.get(this.top); o !== undefined; o = this.freeByEnd.get(this.top)) {
        const s = this.top - o;
        this.freeLists.get(s)?.delete(o);
        this.freeByEnd.delete(this.top);
        this.cached -= s;
        this.top = o;
      }
      return;
    }
    let set = this.freeLists.get(size);
    if (!set) this.freeLists.set(size, (set = new Set()));
    set.add(offset);
    this.freeByEnd.set(offset + size, offset);
    this.cached += size;
  }

  /** Bytes of the block at `offset` (its class size), or undefined if it is not live. */
  sizeOf(offset: number): number | undefined {
    return this.live.get(offset);
  }

  stats(): HeapStats {
    return {
      inUse: this.inUse,
      cached: this.cached,
      top: this.top,
      capacity: this.memory.buffer.byteLength,
      maxBytes: this.maxBytes,
    };
  }

  /** A free block with a class size in [from, upTo], removed from the free lists. */
  private takeFree(from: number, upTo: number): [number, number] | undefined {
    for (const [s, set] of this.freeLists) {
      if (s < from || s > upTo || set.size === 0) continue;
      const off = set.values().next().value as number;
      set.delete(off);
      this.freeByEnd.delete(off + s);
      this.cached -= s;
      return [off, s];
    }
    return undefined;
  }

  /** Grows the memory to hold `needed` bytes; false when the limit (or the engine) forbids it. */
  private grow(needed: number): boolean {
    const have = this.memory.buffer.byteLength;
    const want = Math.ceil((needed - have) / PAGE);
    const maxPages = Math.floor(this.maxBytes / PAGE);
    const cur = have / PAGE;
    // grow by at least a quarter of the memory so that a run of allocations grows it rarely
    for (const pages of [Math.max(want, Math.ceil(cur / 4)), want]) {
      if (cur + pages > maxPages) continue;
      try {
        this.memory.grow(pages);
        return true;
      } catch {
        // try the exact amount, then give up
      }
    }
    return false;
  }
}
