// routines.matmul: batched C = A·B for row-major [.., m, k] @ [.., k, n]. float32 runs a GEMM in the
// style of GotoBLAS: B packed into KC×NR panels, A into MR×KC panels, and a microkernel that keeps
// an MR×NR tile of C in MR·NR/4 f32x4 accumulators (V8 has 16 SIMD registers: 4×8 leaves room for
// the B vectors and the broadcast A). float64 and int32 take a simple i-k-j loop with 2- or 4-lane
// rows (the same summation order as the naive loop). All code is generated at run time.
import type { DeviceBuffer, Routine } from "../backend.js";
import type { Heap } from "./alloc.js";
import { Code, ModuleBuilder } from "./emit.js";
import { I, get, set, type E } from "./dsl.js";
import { relaxedSimdAvailable } from "./features.js";
import { ES, loop, simpleModule } from "./gemm-simple.js";

/** Register tile and cache blocks (bytes of A·B panels: KC·MC·4 ≈ 128 KiB in L2, KC·NR·4 = 8 KiB in L1). */
export interface GemmShape {
  readonly mr: number;
  /** Vectors of 4 columns per row: NR = 4·nv. */
  readonly nv: number;
  readonly kc: number;
  readonly mc: number;
  readonly nc: number;
  /** k steps per microkernel loop iteration. */
  readonly ku: number;
}
export const GEMM_SHAPE: GemmShape = { mr: 4, nv: 2, kc: 256, mc: 128, nc: 4096, ku: 1 };

const min =
  (a: E, b: E): E =>
  (c) => {
    a(c);
    b(c);
    a(c);
    b(c);
    c.op("i32.lt_s").op("select");
  };

/** The microkernel: C[mr×nr] (+)= Ap panel · Bp panel over kc. Params: ap bp kc cp ldc mr nr beta tile. */
function micro(s: GemmShape, relaxed: boolean): Code {
  const c = new Code(["i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"]);
  const [ap, bp, kc, cp, ldc, mr, nr, beta, tile] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const { mr: MR, nv: NV } = s;
  const acc = Array.from({ length: MR * NV }, () => c.local("v128"));
  const b = Array.from({ length: NV }, () => c.local("v128"));
  const a = c.local("v128");
  const zero = new Array<number>(16).fill(0);
  for (const l of acc) c.v128(zero).set(l);
  const step = (k: number): void => {
    b.forEach((l, j) =>
      c
        .get(bp)
        .vmem("v128.load", 16 * (j + k * NV))
        .set(l),
    );
    for (let i = 0; i < MR; i++) {
      c.get(ap)
        .vmem("v128.load32_splat", 4 * (i + k * MR), 2)
        .set(a);
      for (let j = 0; j < NV; j++) {
        const t = acc[i * NV + j] as number;
        if (relaxed)
          c.get(a)
            .get(b[j] as number)
            .get(t)
            .v("f32x4.relaxed_madd")
            .set(t);
        else
          c.get(t)
            .get(a)
            .get(b[j] as number)
            .v("f32x4.mul")
            .v("f32x4.add")
            .set(t);
      }
    }
  };
  // kc = U·q + r: q unrolled iterations, then r single steps
  const U = s.ku;
  const q = c.local("i32");
  c.get(kc).i32(U).op("i32.div_u").tee(q).if().loop();
  for (let k = 0; k < U; k++) step(k);
  c.get(ap)
    .i32(4 * MR * U)
    .op("i32.add")
    .set(ap);
  c.get(bp)
    .i32(16 * NV * U)
    .op("i32.add")
    .set(bp);
  c.get(q).i32(1).op("i32.sub").tee(q).brIf(0).end().end();
  c.get(kc).i32(U).op("i32.rem_u").tee(kc).if().loop();
  step(0);
  c.get(ap)
    .i32(4 * MR)
    .op("i32.add")
    .set(ap);
  c.get(bp)
    .i32(16 * NV)
    .op("i32.add")
    .set(bp);
  c.get(kc).i32(1).op("i32.sub").tee(kc).brIf(0).end().end();
  // full tile: straight to C; edge tile: through `tile`, then the valid part
  c.get(mr)
    .i32(MR)
    .op("i32.eq")
    .get(nr)
    .i32(4 * NV)
    .op("i32.eq")
    .op("i32.and")
    .if();
  const row = c.local("i32");
  for (const accumulate of [true, false]) {
    if (!accumulate) c.else();
    else c.get(beta).if();
    for (let i = 0; i < MR; i++) {
      c.get(cp).get(ldc).i32(i).op("i32.mul").op("i32.add").set(row);
      for (let j = 0; j < NV; j++) {
        c.get(row);
        if (accumulate) c.get(row).vmem("v128.load", 16 * j);
        c.get(acc[i * NV + j] as number);
        if (accumulate) c.v("f32x4.add");
        c.vmem("v128.store", 16 * j);
      }
    }
  }
  c.end();
  c.else();
  acc.forEach((l, idx) =>
    c
      .get(tile)
      .get(l)
      .vmem("v128.store", 16 * idx),
  );
  const [i, j, dst, v] = [c.local("i32"), c.local("i32"), c.local("i32"), c.local("f32")];
  loop(c, i, get(mr), 1, (cc) => {
    loop(cc, j, get(nr), 1, (c2) => {
      set(dst, I.add(I.add(get(cp), I.mul(get(i), get(ldc))), I.shl(get(j), I.k(2))))(c2);
      // C = tile + (beta ? C : nothing)
      c2.get(dst)
        .get(tile)
        .get(i)
        .i32(16 * NV)
        .op("i32.mul")
        .op("i32.add")
        .get(j)
        .i32(2)
        .op("i32.shl");
      c2.op("i32.add").mem("f32.load").tee(v).get(dst).mem("f32.load").op("f32.add").get(v).get(beta).op("select");
      c2.mem("f32.store");
    });
  });
  c.end();
  return c;
}

/** Packs rows [0, mc) × cols [0, kc) of A (row stride lda bytes) as MR-row panels, zero-padded. */
function packA(s: GemmShape): Code {
  const c = new Code(["i32", "i32", "i32", "i32", "i32"]);
  const [src, lda, mc, kc, dst] = [0, 1, 2, 3, 4];
  const [ir, p, rows, q] = [c.local("i32"), c.local("i32"), c.local("i32"), c.local("i32")];
  loop(c, ir, get(mc), s.mr, (cc) => {
    set(rows, min(I.k(s.mr), I.sub(get(mc), get(ir))))(cc);
    set(q, I.add(get(src), I.mul(get(ir), get(lda))))(cc);
    loop(cc, p, get(kc), 1, (c2) => {
      for (let i = 0; i < s.mr; i++) {
        c2.get(dst).get(rows).i32(i).op("i32.gt_s").if("f32");
        c2.get(q).get(lda).i32(i).op("i32.mul").op("i32.add").mem("f32.load").else().f32(0).end();
        c2.mem("f32.store", 4 * i);
      }
      c2.get(dst)
        .i32(4 * s.mr)
        .op("i32.add")
        .set(dst)
        .get(q)
        .i32(4)
        .op("i32.add")
        .set(q);
    });
  });
  return c;
}

/** Packs rows [0, kc) × cols [0, nc) of B (row stride ldb bytes) as NR-column panels, zero-padded. */
function packB(s: GemmShape): Code {
  const NR = 4 * s.nv;
  const c = new Code(["i32", "i32", "i32", "i32", "i32"]);
  const [src, ldb, kc, nc, dst] = [0, 1, 2, 3, 4];
  const [jr, p, j, cols, q] = [c.local("i32"), c.local("i32"), c.local("i32"), c.local("i32"), c.local("i32")];
  loop(c, jr, get(nc), NR, (cc) => {
    set(cols, min(I.k(NR), I.sub(get(nc), get(jr))))(cc);
    set(q, I.add(get(src), I.shl(get(jr), I.k(2))))(cc);
    cc.get(cols).i32(NR).op("i32.eq").if();
    loop(cc, p, get(kc), 1, (c2) => {
      for (let v = 0; v < s.nv; v++)
        c2.get(dst)
          .get(q)
          .vmem("v128.load", 16 * v)
          .vmem("v128.store", 16 * v);
      c2.get(q)
        .get(ldb)
        .op("i32.add")
        .set(q)
        .get(dst)
        .i32(4 * NR)
        .op("i32.add")
        .set(dst);
    });
    cc.else();
    loop(cc, p, get(kc), 1, (c2) => {
      loop(c2, j, I.k(NR), 1, (c3) => {
        c3.get(dst).get(j).i32(2).op("i32.shl").op("i32.add");
        c3.get(j).get(cols).op("i32.lt_s").if("f32");
        c3.get(q).get(j).i32(2).op("i32.shl").op("i32.add").mem("f32.load").else().f32(0).end();
        c3.mem("f32.store");
      });
      c2.get(q)
        .get(ldb)
        .op("i32.add")
        .set(q)
        .get(dst)
        .i32(4 * NR)
        .op("i32.add")
        .set(dst);
    });
    cc.end();
  });
  return c;
}

/** The driver: gemm(a, b, c, m, n, k, ap, bp, tile) with blocking over N (nc), K (kc) and M (mc). */
function driver(s: GemmShape, fn: { micro: number; packA: number; packB: number }): Code {
  const c = new Code(Array.from({ length: 9 }, () => "i32" as const));
  const [A, B, C, M, N, K, AP, BP, TILE] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [jc, pc, ic, jr, ir, nc, kc, mc] = Array.from({ length: 8 }, () => c.local("i32")) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const NR = 4 * s.nv;
  loop(c, jc, get(N), s.nc, (c1) => {
    set(nc, min(I.k(s.nc), I.sub(get(N), get(jc))))(c1);
    loop(c1, pc, get(K), s.kc, (c2) => {
      set(kc, min(I.k(s.kc), I.sub(get(K), get(pc))))(c2);
      // B[pc.., jc..] at b + (pc·n + jc)·4
      c2.get(B).get(pc).get(N).op("i32.mul").get(jc).op("i32.add").i32(2).op("i32.shl").op("i32.add");
      c2.get(N).i32(2).op("i32.shl").get(kc).get(nc).get(BP).call(fn.packB);
      loop(c2, ic, get(M), s.mc, (c3) => {
        set(mc, min(I.k(s.mc), I.sub(get(M), get(ic))))(c3);
        c3.get(A).get(ic).get(K).op("i32.mul").get(pc).op("i32.add").i32(2).op("i32.shl").op("i32.add");
        c3.get(K).i32(2).op("i32.shl").get(mc).get(kc).get(AP).call(fn.packA);
        loop(c3, jr, get(nc), NR, (c4) => {
          loop(c4, ir, get(mc), s.mr, (c5) => {
            c5.get(AP).get(ir).get(kc).op("i32.mul").i32(2).op("i32.shl").op("i32.add");
            c5.get(BP).get(jr).get(kc).op("i32.mul").i32(2).op("i32.shl").op("i32.add");
            c5.get(kc);
            c5.get(C).get(ic).get(ir).op("i32.add").get(N).op("i32.mul").get(jc).op("i32.add").get(jr).op("i32.add");
            c5.i32(2).op("i32.shl").op("i32.add");
            c5.get(N).i32(2).op("i32.shl");
            min(I.k(s.mr), I.sub(get(mc), get(ir)))(c5);
            min(I.k(NR), I.sub(get(nc), get(jr)))(c5);
            c5.get(pc).i32(0).op("i32.gt_s").get(TILE).call(fn.micro);
          });
        });
      });
    });
  });
  return c;
}

/** The float32 GEMM module: exports gemm(a, b, c, m, n, k, ap, bp, tile) (byte offsets). */
export function gemmModule(s: GemmShape = GEMM_SHAPE, relaxed = false): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder();
  m.importMemory("env", "mem", 0);
  const i32s = (n: number) => Array.from({ length: n }, () => "i32" as const);
  const fn = {
    micro: m.declare("micro", i32s(9)),
    packA: m.declare("packA", i32s(5)),
    packB: m.declare("packB", i32s(5)),
  };
  const drv = m.declare("gemm", i32s(9));
  m.define(fn.micro, micro(s, relaxed)).define(fn.packA, packA(s)).define(fn.packB, packB(s));
  m.define(drv, driver(s, fn)).export("gemm", drv);
  return m.bytes();
}

type Imports = WebAssembly.Imports;

/** The matmul routine of one backend; `offsetOf` maps its buffers to byte offsets. */
export function createGemm(
  memory: WebAssembly.Memory,
  imports: Imports,
  heap: Heap,
  simd: boolean,
  offsetOf: (b: DeviceBuffer, what: string) => number,
  shape: GemmShape = GEMM_SHAPE,
): Routine {
  const fns = new Map<string, (...a: number[]) => void>();
  const instance = (key: string, bytes: () => Uint8Array<ArrayBuffer>, name: string): ((...a: number[]) => void) => {
    let f = fns.get(key);
    if (!f) {
      const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes()), imports);
      f = inst.exports[name] as (...a: number[]) => void;
      fns.set(key, f);
    }
    return f;
  };
  const relaxed = simd && relaxedSimdAvailable();
  return (out, args, shapes, dtype) => {
    const [sa = [], sb = []] = shapes;
    const r = sa.length;
    const [m, k, n] = [sa[r - 2] ?? 1, sa[r - 1] ?? 1, sb[r - 1] ?? 1];
    const batch = sa.slice(0, r - 2).reduce((x, y) => x * y, 1);
    if (dtype !== "float32" && dtype !== "float64" && dtype !== "int32")
      throw new Error(`wasm matmul: unsupported dtype ${dtype}`);
    const es = ES[dtype];
    const [a, b, c] = [
      offsetOf(args[0] as DeviceBuffer, "matmul input 0"),
      offsetOf(args[1] as DeviceBuffer, "matmul input 1"),
      offsetOf(out, "matmul output"),
    ];
    if (m * n * batch === 0) return;
    if (k === 0) {
      new Uint8Array(memory.buffer, c, m * n * batch * es).fill(0);
      return;
    }
    // with one or two rows, packing B costs as much as the product: stream B through the row path
    if (dtype === "float32" && simd && m > 2) {
      const gemm = instance(`f32:${relaxed}`, () => gemmModule(shape, relaxed), "gemm");
      const NR = 4 * shape.nv;
      const bpBytes = Math.ceil(Math.min(n, shape.nc) / NR) * NR * Math.min(k, shape.kc) * 4;
      const apBytes = Math.ceil(Math.min(m, shape.mc) / shape.mr) * shape.mr * Math.min(k, shape.kc) * 4;
      const scratch = heap.alloc(apBytes + bpBytes + shape.mr * NR * 4);
      try {
        for (let i = 0; i < batch; i++)
          gemm(
            a + i * m * k * 4,
            b + i * k * n * 4,
            c + i * m * n * 4,
            m,
            n,
            k,
            scratch,
            scratch + apBytes,
            scratch + apBytes + bpBytes,
          );
      } finally {
        heap.free(scratch);
      }
      return;
    }
    const mm = instance(`${dtype}:${simd}`, () => simpleModule(dtype, simd), "mm");
    for (let i = 0; i < batch; i++) mm(a + i * m * k * es, b + i * k * n * es, c + i * m * n * es, m, n, k);
  };
}
