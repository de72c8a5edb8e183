// The safetensors format on bytes (browser-safe): an 8-byte little-endian header length N, N bytes
// of JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {k: v}}
// padded with spaces to a multiple of 8, then the tensors' bytes (little endian, row-major).
// Reading validates everything before it allocates: see docs/io.md for the rules.
import type { DType } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { isTensor, type Tensor } from "../tensor/tensor.js";
import {
  DISK_BYTES,
  MAX_HEADER_BYTES,
  checkedShape,
  describe,
  fail,
  readElements,
  tensorBytesLE,
  tensorFrom,
  type DiskType,
  type Where,
} from "./binary.js";

/** The dtype names nabla reads, as stored on disk. Writing uses the first four. */
const READ_TYPES: Record<string, DiskType> = {
  F32: { kind: "f", bytes: 4, little: true },
  F64: { kind: "f", bytes: 8, little: true },
  I32: { kind: "i", bytes: 4, little: true },
  BOOL: { kind: "b", bytes: 1, little: true },
  F16: { kind: "f", bytes: 2, little: true },
  BF16: { kind: "bf", bytes: 2, little: true },
  I8: { kind: "i", bytes: 1, little: true },
  U8: { kind: "u", bytes: 1, little: true },
  I16: { kind: "i", bytes: 2, little: true },
  U16: { kind: "u", bytes: 2, little: true },
  U32: { kind: "u", bytes: 4, little: true },
  I64: { kind: "i", bytes: 8, little: true },
  U64: { kind: "u", bytes: 8, little: true },
};
const WRITE_TYPES: Record<DType, string> = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };

/** One tensor's entry in a safetensors header. */
export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  /** [begin, end) relative to the start of the data section. */
  dataOffsets: [number, number];
}

/** A parsed and validated safetensors header. */
export interface SafetensorsHeader {
  tensors: Record<string, SafetensorsEntry>;
  metadata: Record<string, string>;
  /** Byte offset of the data section in the file (8 + header length). */
  dataStart: number;
}

export interface DecodeOptions {
  /** The file name to show in error messages. */
  file?: string;
}

/** Sets a property even when its name is `__proto__`. */
function put<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Parses and validates the header at the start of `bytes`. `fileSize` is the size of the whole
 * file when `bytes` holds only its beginning (at least 8 bytes, and the header once its length is
 * known); it defaults to `bytes.length`.
 */
export function readSafetensorsHeader(
  bytes: Uint8Array,
  opts: DecodeOptions & { fileSize?: number; op?: string } = {},
): SafetensorsHeader {
  const w: Where = { op: opts.op ?? "readSafetensorsHeader", file: opts.file };
  const size = opts.fileSize ?? bytes.length;
  if (size < 8) throw fail(w, `the file is ${size} bytes long, too short for the 8-byte header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
  if (n > MAX_HEADER_BYTES) throw fail(w, `header length ${n} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  if (8 + n > size) throw fail(w, `header length ${n} runs past the end of the file (${size} bytes)`);
  if (bytes.length < 8 + n) throw fail(w, `only ${bytes.length} bytes were given for a header of ${n}`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw fail(w, "the header is not valid UTF-8");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw fail(w, `the header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw fail(w, `the header must be a JSON object, got ${describe(json)}`);
  const dataLen = size - 8 - n;
  const tensors: Record<string, SafetensorsEntry> = {};
  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw))
        throw fail(w, `__metadata__ must be an object of strings, got ${describe(raw)}`);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") throw fail(w, `__metadata__.${k} must be a string, got ${describe(v)}`);
        put(metadata, k, v);
      }
      continue;
    }
    const what = `tensor ${JSON.stringify(name)}`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw))
      throw fail(w, `${what}: expected an object {dtype, shape, data_offsets}, got ${describe(raw)}`);
    const e = raw as Record<string, unknown>;
    const dtype = e["dtype"];
    const type = typeof dtype === "string" && Object.hasOwn(READ_TYPES, dtype) ? READ_TYPES[dtype] : undefined;
    if (!type || typeof dtype !== "string")
      throw fail(w, `${what}: unknown dtype ${describe(dtype)} (known: ${Object.keys(READ_TYPES).join(", ")})`);
    const { shape, size: count } = checkedShape(w, e["shape"], what);
    const offs = e["data_offsets"];
    if (
      !Array.isArray(offs) ||
      offs.length !== 2 ||
      !offs.every((o) => typeof o === "number" && Number.isSafeInteger(o) && o >= 0)
    )
      throw fail(w, `${what}: data_offsets must be two non-negative integers, got ${describe(offs)}`);
    const [begin, end] = offs as [number, number];
    if (begin > end) throw fail(w, `${what}: data_offsets [${begin}, ${end}] are reversed`);
    if (end > dataLen)
      throw fail(w, `${what}: data_offsets [${begin}, ${end}] run past the data section (${dataLen} bytes)`);
    if (count > dataLen / type.bytes || count * type.bytes !== end - begin)
      throw fail(
        w,
        `${what}: shape ${describe(shape)} of ${dtype} needs ${count * type.bytes} bytes, data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    put(tensors, name, { dtype, shape, dataOffsets: [begin, end] });
    spans.push({ name, begin, end });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev = "";
  for (const s of spans) {
    if (s.begin < at)
      throw fail(w, `tensors ${JSON.stringify(prev)} and ${JSON.stringify(s.name)} overlap in the data section`);
    if (s.begin > at) throw fail(w, `the data section has a gap of ${s.begin - at} bytes at offset ${at}`);
    at = s.end;
    prev = s.name;
  }
  if (at !== dataLen)
    throw fail(w, `the tensors cover ${at} bytes of the data section, which has ${dataLen} (extra or missing data)`);
  return { tensors, metadata, dataStart: 8 + n };
}

/**
 * Tensors from the data section of a validated header. `data` holds the file from `dataStart` on
 * (or the whole file when `dataStart` is given as the offset of the data within it).
 */
export function tensorsFromData(
  header: SafetensorsHeader,
  data: Uint8Array,
  base: number,
  w: Where,
): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, e] of Object.entries(header.tensors)) {
    const type = READ_TYPES[e.dtype] as DiskType;
    const [begin, end] = e.dataOffsets;
    if (base + end > data.length) throw fail(w, `the data of tensor ${JSON.stringify(name)} is truncated`);
    const count = (end - begin) / type.bytes;
    const { dtype, data: arr } = readElements(w, `tensor ${JSON.stringify(name)}`, type, data, base + begin, count);
    put(out, name, tensorFrom(arr, e.shape, dtype));
  }
  return out;
}

/** Decodes a whole safetensors file held in memory. */
export function decodeSafetensors(
  bytes: Uint8Array,
  opts: DecodeOptions & { op?: string } = {},
): Record<string, Tensor> {
  const w: Where = { op: opts.op ?? "decodeSafetensors", file: opts.file };
  const header = readSafetensorsHeader(bytes, { ...opts, op: w.op });
  return tensorsFromData(header, bytes, header.dataStart, w);
}

/** The header bytes (length prefix included) and the layout of a file to write. */
export interface SafetensorsPlan {
  header: Uint8Array;
  parts: { name: string; tensor: Tensor; nbytes: number }[];
  totalBytes: number;
}

/** Validates what is to be written and lays out the file. */
export function planSafetensors(
  tensors: Record<string, Tensor>,
  metadata: Record<string, string> | undefined,
  op = "encodeSafetensors",
): SafetensorsPlan {
  if (typeof tensors !== "object" || tensors === null)
    throw new ValueError(op, `expected an object of named tensors, got ${describe(tensors)}`);
  const fields: string[] = [];
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== "string")
        throw new ValueError(op, `metadata values must be strings, got ${describe(v)} for ${JSON.stringify(k)}`);
    fields.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  const parts: SafetensorsPlan["parts"] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === "__metadata__") throw new ValueError(op, `"__metadata__" is reserved and cannot name a tensor`);
    if (!isTensor(t)) throw new ValueError(op, `${JSON.stringify(name)} is not a tensor (got ${describe(t)})`);
    const nbytes = t.size * DISK_BYTES[t.dtype];
    const entry = { dtype: WRITE_TYPES[t.dtype], shape: t.shape, data_offsets: [offset, offset + nbytes] };
    fields.push(`${JSON.stringify(name)}:${JSON.stringify(entry)}`);
    parts.push({ name, tensor: t, nbytes });
    offset += nbytes;
  }
  let json = new TextEncoder().encode(`{${fields.join(",")}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const header = new Uint8Array(8 + padded);
  const dv = new DataView(header.buffer);
  dv.setUint32(0, padded % 2 ** 32, true);
  dv.setUint32(4, Math.floor(padded / 2 ** 32), true);
  header.set(json, 8);
  return { header, parts, totalBytes: header.length + offset };
}

/** The bytes of each part of a plan, in file order (a tensor is read only when its turn comes). */
export function* planChunks(plan: SafetensorsPlan): Generator<Uint8Array> {
  yield plan.header;
  for (const p of plan.parts) {
    const bytes = tensorBytesLE(p.tensor);
    if (bytes.length !== p.nbytes) throw new ValueError("saveSafetensors", `tensor ${p.name} changed size`);
    yield bytes;
  }
}

/** Encodes named tensors (and optional string metadata) as a safetensors file in memory. */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const plan = planSafetensors(tensors, metadata);
  const out = new Uint8Array(plan.totalBytes);
  let at = 0;
  for (const chunk of planChunks(plan)) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
