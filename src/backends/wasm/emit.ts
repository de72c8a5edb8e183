// A minimal WebAssembly binary encoder: LEB128, the sections a kernel module needs (type, import,
// function, export, code) and a function-body builder with one method per instruction form.
// Pure and browser-safe; render.ts and gemm.ts drive it, the runtime only sees the bytes.
import {
  FC,
  MEM,
  OP,
  SIMD,
  SIMD_LANE,
  SIMD_MEM,
  SIMD_MEM_LANE,
  type FcOp,
  type MemOp,
  type Op,
  type SimdLaneOp,
  type SimdMemLaneOp,
  type SimdMemOp,
  type SimdOp,
} from "./opcodes.js";

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128";
export type BlockType = ValType | "void";

const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** A growable byte sink with the encodings the binary format uses. */
export class Bytes {
  private buf: Uint8Array<ArrayBuffer> = new Uint8Array(256);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  u8(b: number): this {
    this.reserve(1);
    this.buf[this.length++] = b & 0xff;
    return this;
  }
  raw(bs: ArrayLike<number>): this {
    this.reserve(bs.length);
    for (let i = 0; i < bs.length; i++) this.buf[this.length++] = (bs[i] as number) & 0xff;
    return this;
  }
  /** Unsigned LEB128 of a value in [0, 2^32). */
  u32(v: number): this {
    let x = v >>> 0;
    do {
      const b = x & 0x7f;
      x >>>= 7;
      this.u8(x ? b | 0x80 : b);
    } while (x);
    return this;
  }
  /** Signed LEB128 of an int32. */
  s32(v: number): this {
    let x = v | 0;
    for (;;) {
      const b = x & 0x7f;
      x >>= 7;
      const done = (x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0);
      this.u8(done ? b : b | 0x80);
      if (done) return this;
    }
  }
  /** Signed LEB128 of an int64. */
  s64(v: bigint): this {
    let x = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      const done = (x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0);
      this.u8(done ? b : b | 0x80);
      if (done) return this;
    }
  }
  f32(v: number): this {
    const d = new DataView(new ArrayBuffer(4));
    d.setFloat32(0, v, true);
    return this.raw(new Uint8Array(d.buffer));
  }
  f64(v: number): this {
    const d = new DataView(new ArrayBuffer(8));
    d.setFloat64(0, v, true);
    return this.raw(new Uint8Array(d.buffer));
  }
  name(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.u32(b.length).raw(b);
  }
  /** Appends `other` prefixed by its byte length (a section or function body). */
  sized(other: Bytes): this {
    return this.u32(other.length).raw(other.bytes());
  }
  bytes(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.length);
  }
}

const NATURAL_ALIGN: Record<MemOp, number> = {
  "i32.load": 2,
  "i64.load": 3,
  "f32.load": 2,
  "f64.load": 3,
  "i32.load8_u": 0,
  "i32.store": 2,
  "i64.store": 3,
  "f32.store": 2,
  "f64.store": 3,
  "i32.store8": 0,
};

/** Instructions with immediates have their own methods. */
type PlainOp = Exclude<
  Op,
  | "block"
  | "loop"
  | "if"
  | "br"
  | "br_if"
  | "call"
  | "local.get"
  | "local.set"
  | "local.tee"
  | "i32.const"
  | "i64.const"
  | "f32.const"
  | "f64.const"
>;

/** One function body under construction: locals and instructions (with an optional text trace). */
export class Code {
  private readonly locals: ValType[] = [];
  private readonly body = new Bytes();
  /** Instruction text, one line each, when tracing (render() shows it). */
  readonly text: string[] | undefined;
  private indent = 1;

  constructor(
    readonly params: readonly ValType[],
    readonly results: readonly ValType[] = [],
    trace = false,
  ) {
    this.text = trace ? [] : undefined;
  }

  private t(s: string): void {
    this.text?.push(`${"  ".repeat(this.indent)}${s}`);
  }

  /** A fresh local of type `t`; returns its index. */
  local(t: ValType): number {
    return this.params.length + this.locals.push(t) - 1;
  }
  typeOf(index: number): ValType {
    return (index < this.params.length ? this.params[index] : this.locals[index - this.params.length]) ?? "i32";
  }

  op(name: PlainOp): this {
    this.t(name);
    this.body.u8(OP[name]);
    return this;
  }
  get(i: number): this {
    this.t(`local.get ${i}`);
    this.body.u8(OP["local.get"]).u32(i);
    return this;
  }
  set(i: number): this {
    this.t(`local.set ${i}`);
    this.body.u8(OP["local.set"]).u32(i);
    return this;
  }
  tee(i: number): this {
    this.t(`local.tee ${i}`);
    this.body.u8(OP["local.tee"]).u32(i);
    return this;
  }
  i32(v: number): this {
    this.t(`i32.const ${v | 0}`);
    this.body.u8(OP["i32.const"]).s32(v);
    return this;
  }
  i64(v: bigint): this {
    this.t(`i64.const ${v}`);
    this.body.u8(OP["i64.const"]).s64(v);
    return this;
  }
  f32(v: number): this {
    this.t(`f32.const ${v}`);
    this.body.u8(OP["f32.const"]).f32(v);
    return this;
  }
  f64(v: number): this {
    this.t(`f64.const ${v}`);
    this.body.u8(OP["f64.const"]).f64(v);
    return this;
  }
  /** A constant of a scalar type. */
  konst(t: ValType, v: number): this {
    if (t === "f32") return this.f32(v);
    if (t === "f64") return this.f64(v);
    if (t === "i64") return this.i64(BigInt(v));
    return this.i32(v);
  }
  mem(name: MemOp, offset = 0, align = NATURAL_ALIGN[name]): this {
    this.t(`${name} offset=${offset}`);
    this.body.u8(MEM[name]).u32(align).u32(offset);
    return this;
  }
  fc(name: FcOp): this {
    this.t(name);
    this.body.u8(0xfc).u32(FC[name]);
    return this;
  }
  v(name: SimdOp): this {
    this.t(name);
    this.body.u8(0xfd).u32(SIMD[name]);
    return this;
  }
  vmem(name: SimdMemOp, offset = 0, align = 0): this {
    this.t(`${name} offset=${offset}`);
    this.body.u8(0xfd).u32(SIMD_MEM[name]).u32(align).u32(offset);
    return this;
  }
  vlane(name: SimdLaneOp, lane: number): this {
    this.t(`${name} ${lane}`);
    this.body.u8(0xfd).u32(SIMD_LANE[name]).u8(lane);
    return this;
  }
  vmemLane(name: SimdMemLaneOp, lane: number, offset = 0, align = 0): this {
    this.t(`${name} offset=${offset} ${lane}`);
    this.body.u8(0xfd).u32(SIMD_MEM_LANE[name]).u32(align).u32(offset).u8(lane);
    return this;
  }
  /** v128.const from 16 bytes. */
  v128(bytes: ArrayLike<number>): this {
    this.t(`v128.const ${Array.from(bytes).join(" ")}`);
    this.body.u8(0xfd).u32(12).raw(bytes);
    return this;
  }
  /** i8x16.shuffle with 16 lane indices. */
  shuffle(lanes: ArrayLike<number>): this {
    this.t(`i8x16.shuffle ${Array.from(lanes).join(" ")}`);
    this.body.u8(0xfd).u32(13).raw(lanes);
    return this;
  }
  private blockOp(kind: "block" | "loop" | "if", bt: BlockType): this {
    this.t(`${kind}${bt === "void" ? "" : ` (result ${bt})`}`);
    this.indent++;
    this.body.u8(OP[kind]).u8(bt === "void" ? 0x40 : VALTYPE[bt]);
    return this;
  }
  block(bt: BlockType = "void"): this {
    return this.blockOp("block", bt);
  }
  loop(bt: BlockType = "void"): this {
    return this.blockOp("loop", bt);
  }
  if(bt: BlockType = "void"): this {
    return this.blockOp("if", bt);
  }
  else(): this {
    this.indent--;
    this.t("else");
    this.indent++;
    this.body.u8(OP.else);
    return this;
  }
  end(): this {
    this.indent--;
    this.t("end");
    this.body.u8(OP.end);
    return this;
  }
  br(depth: number): this {
    this.t(`br ${depth}`);
    this.body.u8(OP.br).u32(depth);
    return this;
  }
  brIf(depth: number): this {
    this.t(`br_if ${depth}`);
    this.body.u8(OP.br_if).u32(depth);
    return this;
  }
  call(fn: number, name = ""): this {
    this.t(`call ${fn}${name ? ` <${name}>` : ""}`);
    this.body.u8(OP.call).u32(fn);
    return this;
  }

  /** The encoded body: locals (run-length grouped), instructions, end. */
  encode(): Bytes {
    const out = new Bytes();
    const groups: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    out.u32(groups.length);
    for (const [n, t] of groups) out.u32(n).u8(VALTYPE[t]);
    out.raw(this.body.bytes()).u8(OP.end);
    return out;
  }
}

interface Func {
  readonly type: number;
  readonly name: string;
  code?: Code;
}

/** A module: imported memory (and functions), defined functions, exports. */
export class ModuleBuilder {
  private readonly types: string[] = [];
  private readonly typeBytes: Bytes[] = [];
  private readonly imports: Bytes[] = [];
  private importedFuncs = 0;
  private readonly funcs: Func[] = [];
  private readonly exports: [string, number][] = [];

  private typeIndex(params: readonly ValType[], results: readonly ValType[]): number {
    const key = `${params.join(",")}>${results.join(",")}`;
    let i = this.types.indexOf(key);
    if (i < 0) {
      const b = new Bytes().u8(0x60).u32(params.length);
      for (const p of params) b.u8(VALTYPE[p]);
      b.u32(results.length);
      for (const r of results) b.u8(VALTYPE[r]);
      i = this.types.push(key) - 1;
      this.typeBytes.push(b);
    }
    return i;
  }

  /** Imports a linear memory (shared memories need a maximum). */
  importMemory(module: string, field: string, minPages: number, maxPages?: number, shared = false): this {
    const b = new Bytes().name(module).name(field).u8(0x02);
    const flags = (maxPages !== undefined ? 1 : 0) | (shared ? 2 : 0);
    b.u8(flags).u32(minPages);
    if (maxPages !== undefined) b.u32(maxPages);
    this.imports.push(b);
    return this;
  }

  /** Imports a function; all function imports must precede declare(). */
  importFunc(module: string, field: string, params: readonly ValType[], results: readonly ValType[]): number {
    if (this.funcs.length) throw new Error("wasm emit: function imports must come before defined functions");
    this.imports.push(new Bytes().name(module).name(field).u8(0x00).u32(this.typeIndex(params, results)));
    return this.importedFuncs++;
  }

  /** Declares a function (its index can be called before its body exists). */
  declare(name: string, params: readonly ValType[], results: readonly ValType[] = []): number {
    return this.importedFuncs + this.funcs.push({ type: this.typeIndex(params, results), name }) - 1;
  }

  define(index: number, code: Code): this {
    const f = this.funcs[index - this.importedFuncs];
    if (!f) throw new Error(`wasm emit: no declared function ${index}`);
    f.code = code;
    return this;
  }

  export(name: string, index: number): this {
    this.exports.push([name, index]);
    return this;
  }

  private section(out: Bytes, id: number, count: number, items: Bytes[]): void {
    if (!count) return;
    const s = new Bytes().u32(count);
    for (const it of items) s.raw(it.bytes());
    out.u8(id).sized(s);
  }

  bytes(): Uint8Array<ArrayBuffer> {
    const out = new Bytes().raw([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    this.section(out, 1, this.typeBytes.length, this.typeBytes);
    this.section(out, 2, this.imports.length, this.imports);
    this.section(
      out,
      3,
      this.funcs.length,
      this.funcs.map((f) => new Bytes().u32(f.type)),
    );
    this.section(
      out,
      7,
      this.exports.length,
      this.exports.map(([n, i]) => new Bytes().name(n).u8(0x00).u32(i)),
    );
    const bodies = this.funcs.map((f) => {
      if (!f.code) throw new Error(`wasm emit: function ${f.name} was declared but not defined`);
      return new Bytes().sized(f.code.encode());
    });
    this.section(out, 10, bodies.length, bodies);
    return out.bytes();
  }
}
