// The simple matmul path (float64, int32, and float32 without SIMD): row i of C accumulates
// a[i, p]·b[p, :] for p in order, 2 or 4 lanes at a time, so sums follow the naive loop's order.
import { Code, ModuleBuilder } from "./emit.js";
import { I, get, set, type E, type S } from "./dsl.js";

/** for (i = start; i < end; i += step) body */
export function loop(c: Code, i: number, end: E, step: number, body: S, start: E = I.k(0)): void {
  start(c);
  c.set(i);
  c.block().loop();
  get(i)(c);
  end(c);
  c.op("i32.ge_s").brIf(1);
  body(c);
  c.get(i).i32(step).op("i32.add").set(i).br(0);
  c.end().end();
}

export type Elem = "float32" | "float64" | "int32";
export const ES: Record<Elem, number> = { float32: 4, float64: 8, int32: 4 };

/** c[i, :] = Σ_p a[i, p]·b[p, :], row by row with `lanes`-wide rows (1: scalar). mm(a, b, c, m, n, k). */
export function simpleModule(d: Elem, simd: boolean): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder();
  m.importMemory("env", "mem", 0);
  const fi = m.declare(
    "mm",
    Array.from({ length: 6 }, () => "i32" as const),
  );
  const c = new Code(Array.from({ length: 6 }, () => "i32" as const));
  const [A, B, C, M, N, K] = [0, 1, 2, 3, 4, 5];
  const es = ES[d];
  const t = d === "float32" ? "f32" : d === "float64" ? "f64" : "i32";
  const [load, store] =
    d === "float64"
      ? (["f64.load", "f64.store"] as const)
      : d === "float32"
        ? (["f32.load", "f32.store"] as const)
        : (["i32.load", "i32.store"] as const);
  const [add, mul] = [`${t}.add`, `${t}.mul`] as ["f32.add" | "f64.add" | "i32.add", "f32.mul" | "f64.mul" | "i32.mul"];
  const W = simd ? 16 / es : 1;
  const vs = {
    float32: ["f32x4.splat", "f32x4.add", "f32x4.mul"],
    float64: ["f64x2.splat", "f64x2.add", "f64x2.mul"],
    int32: ["i32x4.splat", "i32x4.add", "i32x4.mul"],
  } as const;
  const [i, p, j, crow, brow, nvec] = Array.from({ length: 6 }, () => c.local("i32")) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const av = c.local(t);
  const avv = c.local("v128");
  const at = (base: number, idx: number): void => void c.get(base).get(idx).i32(es).op("i32.mul").op("i32.add");
  set(
    nvec,
    I.sub(get(N), (cc) => void cc.get(N).i32(W).op("i32.rem_u")),
  )(c);
  loop(c, i, get(M), 1, () => {
    set(crow, I.add(get(C), I.mul(I.mul(get(i), get(N)), I.k(es))))(c);
    loop(c, j, get(N), 1, () => void (at(crow, j), c.konst(t, 0).mem(store)));
    loop(c, p, get(K), 1, () => {
      c.get(A).get(i).get(K).op("i32.mul").get(p).op("i32.add").i32(es).op("i32.mul").op("i32.add").mem(load).set(av);
      set(brow, I.add(get(B), I.mul(I.mul(get(p), get(N)), I.k(es))))(c);
      if (W > 1) {
        c.get(av).v(vs[d][0]).set(avv);
        loop(c, j, get(nvec), W, () => {
          at(crow, j);
          at(crow, j);
          c.vmem("v128.load").get(avv);
          at(brow, j);
          c.vmem("v128.load").v(vs[d][2]).v(vs[d][1]).vmem("v128.store");
        });
      }
      const tail = (): void => {
        at(crow, j);
        at(crow, j);
        c.mem(load).get(av);
        at(brow, j);
        c.mem(load).op(mul).op(add).mem(store);
      };
      loop(c, j, get(N), 1, tail, W > 1 ? get(nvec) : I.k(0));
    });
  });
  m.define(fi, c).export("mm", fi);
  return m.bytes();
}
