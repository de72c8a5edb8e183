// Shared by the binary formats (safetensors, NPY, IDX): checked shapes, element types on disk and
// their conversion to nabla dtypes, and a tensor's little-endian bytes. Browser-safe.
import type { DType, TypedArray } from "../core/dtype.js";
import { fromArray } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { FormatError } from "./errors.js";

/** Headers larger than this are rejected before they are read or parsed. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export const HOST_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Where an error happened: the function and the file (or undefined for bytes in memory). */
export interface Where {
  op: string;
  file?: string | undefined;
}

export const fail = (w: Where, message: string): FormatError => new FormatError(w.op, message, w.file);

/**
 * Validates a shape read from a file: a list of non-negative safe integers whose product is a safe
 * integer. Returns the shape and its element count.
 */
export function checkedShape(w: Where, raw: unknown, what: string): { shape: number[]; size: number } {
  if (!Array.isArray(raw)) throw fail(w, `${what}: shape must be a list of integers, got ${describe(raw)}`);
  if (raw.length > 64) throw fail(w, `${what}: shape has ${raw.length} dimensions (at most 64 are accepted)`);
  let size = 1;
  for (const d of raw as unknown[]) {
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0)
      throw fail(w, `${what}: shape entries must be non-negative integers, got ${describe(d)} in ${describe(raw)}`);
    if (d !== 0 && size > Number.MAX_SAFE_INTEGER / d)
      throw fail(w, `${what}: the element count of shape ${describe(raw)} overflows`);
    size *= d;
  }
  return { shape: raw as number[], size };
}

/** A short printable description of a parsed value, for messages. */
export function describe(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** An element type as stored in a file. `bf` is bfloat16. */
export interface DiskType {
  kind: "f" | "i" | "u" | "b" | "bf";
  bytes: 1 | 2 | 4 | 8;
  little: boolean;
}

/** The nabla dtype a disk type is read as (exact; 64-bit and u32 integers are range-checked). */
export function targetDType(t: DiskType): DType {
  if (t.kind === "b") return "bool";
  if (t.kind === "f") return t.bytes === 8 ? "float64" : "float32";
  if (t.kind === "bf") return "float32";
  return "int32";
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Reads `count` elements of disk type `t` at `offset` of `bytes` into fresh storage (never a view
 * of `bytes`). The caller has checked that the bytes are there.
 */
export function readElements(
  w: Where,
  what: string,
  t: DiskType,
  bytes: Uint8Array,
  offset: number,
  count: number,
): { dtype: DType; data: TypedArray } {
  const dtype = targetDType(t);
  const nbytes = count * t.bytes;
  const native =
    (t.kind === "f" && t.bytes !== 2) || (t.kind === "i" && t.bytes === 4) || (t.kind === "b" && t.bytes === 1);
  if (native && (t.little === HOST_LITTLE || t.bytes === 1)) {
    const copy = new Uint8Array(nbytes); // fresh and aligned (Buffer#slice would be a view)
    copy.set(bytes.subarray(offset, offset + nbytes));
    const arr = dtype === "bool" ? copy : viewAs(dtype, copy.buffer);
    if (dtype === "bool") for (let i = 0; i < count; i++) if (arr[i]) arr[i] = 1;
    return { dtype, data: arr };
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, nbytes);
  const le = t.little;
  const out = allocFor(dtype, count);
  const tooBig = (i: number, v: number | bigint): FormatError =>
    fail(w, `${what}: element ${i} (${v}) does not fit in int32, the widest integer type nabla holds`);
  for (let i = 0; i < count; i++) {
    const at = i * t.bytes;
    let v: number;
    if (t.kind === "f") {
      v =
        t.bytes === 2
          ? halfToFloat(dv.getUint16(at, le))
          : t.bytes === 4
            ? dv.getFloat32(at, le)
            : dv.getFloat64(at, le);
    } else if (t.kind === "bf") {
      v = new Float32Array(new Uint32Array([dv.getUint16(at, le) << 16]).buffer)[0] as number;
    } else if (t.kind === "b") {
      v = dv.getUint8(at) ? 1 : 0;
    } else if (t.bytes === 8) {
      const b = t.kind === "i" ? dv.getBigInt64(at, le) : dv.getBigUint64(at, le);
      if (b < -2147483648n || b > 2147483647n) throw tooBig(i, b);
      v = Number(b);
    } else {
      const signed = t.kind === "i";
      v =
        t.bytes === 1
          ? signed
            ? dv.getInt8(at)
            : dv.getUint8(at)
          : t.bytes === 2
            ? signed
              ? dv.getInt16(at, le)
              : dv.getUint16(at, le)
            : signed
              ? dv.getInt32(at, le)
              : dv.getUint32(at, le);
      if (v > 2147483647) throw tooBig(i, v);
    }
    out[i] = v;
  }
  return { dtype, data: out };
}

function viewAs(dtype: DType, buf: ArrayBufferLike): TypedArray {
  const b = buf as ArrayBuffer;
  if (dtype === "float32") return new Float32Array(b);
  if (dtype === "float64") return new Float64Array(b);
  if (dtype === "int32") return new Int32Array(b);
  return new Uint8Array(b);
}

function allocFor(dtype: DType, n: number): TypedArray {
  if (dtype === "float32") return new Float32Array(n);
  if (dtype === "float64") return new Float64Array(n);
  if (dtype === "int32") return new Int32Array(n);
  return new Uint8Array(n);
}

/** A tensor from freshly read storage. */
export const tensorFrom = (data: TypedArray, shape: readonly number[], dtype: DType): Tensor =>
  fromArray(data, shape, dtype);

/** Bytes per element of each nabla dtype on disk. */
export const DISK_BYTES: Record<DType, number> = { bool: 1, int32: 4, float32: 4, float64: 8 };

/** A tensor's elements as little-endian bytes, row-major (bool as 0/1 bytes). */
export function tensorBytesLE(t: Tensor): Uint8Array {
  const data = t.dataSync();
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (t.dtype === "bool") {
    for (let i = 0; i < bytes.length; i++) if (bytes[i]) bytes[i] = 1;
    return bytes;
  }
  if (HOST_LITTLE) return bytes;
  const out = new Uint8Array(bytes.length);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (t.dtype === "float64") dv.setFloat64(i * 8, v, true);
    else if (t.dtype === "float32") dv.setFloat32(i * 4, v, true);
    else dv.setInt32(i * 4, v, true);
  }
  return out;
}
