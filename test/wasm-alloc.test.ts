// The wasm backend's heap: size classes, alignment, reuse, blocks returned to the top, growth of
// the memory (data kept), a clear error at the limit, and the guards on every buffer operation.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Heap, OutOfMemoryError, sizeClass } from "../src/backends/wasm/alloc.js";
import { createWasmBackend } from "../src/backends/wasm/index.js";
import { rng } from "./util.js";

test("size classes: multiples of 16, at least the request, at most 12.5% (or 16 bytes) larger", () => {
  for (let n = 0; n < 200000; n += 1 + Math.floor(n / 7)) {
    const s = sizeClass(n);
    assert.ok(s % 16 === 0 && s >= n && s >= 16, `class of ${n}: ${s}`);
    assert.ok(s <= Math.max(16, n * 1.125 + 16), `class of ${n} too large: ${s}`);
  }
});

test("blocks are 16-byte aligned, never overlap, and are reused after free", () => {
  const heap = new Heap(new WebAssembly.Memory({ initial: 1, maximum: 1024 }), 1024 * 65536);
  const r = rng(1);
  const live = new Map<number, number>();
  for (let i = 0; i < 3000; i++) {
    if (live.size && r() < 0.45) {
      const offs = [...live.keys()];
      const off = offs[Math.floor(r() * offs.length)] as number;
      heap.free(off);
      live.delete(off);
    } else {
      const bytes = Math.floor(r() ** 3 * 20000);
      const off = heap.alloc(bytes);
      assert.equal(off % 16, 0);
      assert.ok(off >= 16, "offset 0 stays invalid");
      for (const [o, b] of live)
        assert.ok(off + bytes <= o || o + b <= off, `block ${off}+${bytes} overlaps ${o}+${b}`);
      live.set(off, bytes);
    }
  }
  for (const off of live.keys()) heap.free(off);
  const st = heap.stats();
  assert.equal(st.inUse, 0);
  assert.equal(st.top, 16, "everything freed goes back to the bump pointer");
  // same class → same block
  const a = heap.alloc(1000);
  heap.alloc(16);
  heap.free(a);
  assert.equal(heap.alloc(990), a);
});

test("the memory grows on demand and keeps its data; the limit gives a clear error", () => {
  const be = createWasmBackend({ initialBytes: 65536, maxBytes: 8 * 2 ** 20 });
  const small = be.alloc(64);
  be.write(
    small,
    Uint8Array.from({ length: 64 }, (_, i) => i),
  );
  const big = be.alloc(3 * 2 ** 20);
  assert.ok(be.heapStats().capacity >= 3 * 2 ** 20);
  assert.deepEqual(
    Array.from(be.read(small, 64)),
    Array.from({ length: 64 }, (_, i) => i),
  );
  assert.throws(
    () => be.alloc(6 * 2 ** 20),
    (e: unknown) =>
      e instanceof OutOfMemoryError && /6291456 bytes/.test(e.message) && /limit 8388608 bytes/.test(e.message),
  );
  be.free(big);
  // after freeing, the same request fits again
  be.free(be.alloc(6 * 2 ** 20));
  be.free(small);
  assert.equal(be.heapStats().inUse, 0);
});

test("reads, writes and runs are bounds-checked; freed and foreign buffers are refused", () => {
  const be = createWasmBackend();
  const other = createWasmBackend();
  const b = be.alloc(8);
  assert.throws(() => be.write(b, new Uint8Array(9)), /writing 9 bytes into a buffer of 8/);
  assert.throws(() => be.read(b, 9), /reading 9 bytes from a buffer of 8/);
  assert.throws(() => other.write(b, new Uint8Array(1)), /not a buffer of this backend/);
  be.free(b);
  assert.throws(() => be.free(b), /was freed/);
  assert.throws(() => be.read(b, 1), /was freed/);
  const k = {
    name: "k",
    outShape: [4],
    outDtype: "float32" as const,
    inputs: ["float32" as const],
    body: { k: "load" as const, buf: 0, idx: { k: "var" as const, i: 0 }, dtype: "float32" as const },
    key: "copy4",
  };
  const [i, o] = [be.alloc(16), be.alloc(8)];
  assert.throws(() => be.run(be.compile(k), o, [i]), /writes 16 bytes into 8/);
  assert.throws(() => be.run(be.compile(k), i, []), /takes 1 inputs, got 0/);
  be.free(i);
  be.free(o);
});
