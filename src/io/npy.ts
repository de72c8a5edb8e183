// NumPy's .npy format on bytes (browser-safe): the magic "\x93NUMPY", a version, a header length,
// a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with
// spaces and a newline to a multiple of 64 bytes, then the data. Versions 1.0, 2.0 and 3.0 are read;
// 1.0 is written (2.0 when the header needs more than 65535 bytes).
import type { DType } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import { isTensor, type Tensor } from "../tensor/tensor.js";
import {
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

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DESCR: Record<DType, string> = { float32: "<f4", float64: "<f8", int32: "<i4", bool: "|b1" };

type PyValue = string | number | boolean | null | PyValue[] | { [k: string]: PyValue };

/** Parses the Python literal subset NumPy writes: dicts, tuples, lists, strings, ints, True/False/None. */
function parsePyLiteral(src: string, w: Where): PyValue {
  let i = 0;
  const bad = (what: string): never => {
    throw fail(w, `the header is not a valid Python literal (${what} at character ${i}): ${describe(src)}`);
  };
  const ws = (): void => {
    while (i < src.length && /\s/.test(src[i] as string)) i++;
  };
  const value = (depth: number): PyValue => {
    if (depth > 32) bad("nesting too deep");
    ws();
    const c = src[i];
    if (c === "{" || c === "(" || c === "[") {
      const close = c === "{" ? "}" : c === "(" ? ")" : "]";
      i++;
      const list: PyValue[] = [];
      const dict: { [k: string]: PyValue } = {};
      for (;;) {
        ws();
        if (src[i] === close) {
          i++;
          break;
        }
        const v = value(depth + 1);
        if (c === "{") {
          ws();
          if (src[i++] !== ":") bad("expected ':'");
          if (typeof v !== "string") bad("dict keys must be strings");
          Object.defineProperty(dict, v as string, { value: value(depth + 1), enumerable: true, writable: true });
        } else list.push(v);
        ws();
        if (src[i] === ",") i++;
        else if (src[i] !== close) bad(`expected ',' or '${close}'`);
      }
      return c === "{" ? dict : list;
    }
    if (c === "'" || c === '"') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) bad("unterminated string");
      const s = src.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    const m = /^(-?\d+)L?|^(True|False|None)/.exec(src.slice(i, i + 32));
    if (!m) return bad("unexpected token");
    i += m[0].length;
    if (m[2] === "True") return true;
    if (m[2] === "False") return false;
    if (m[2] === "None") return null;
    const n = Number(m[1]);
    if (!Number.isSafeInteger(n)) bad(`integer ${m[1]} is too large`);
    return n;
  };
  const v = value(0);
  ws();
  if (i !== src.length) bad("trailing characters");
  return v;
}

/** The disk type of a NumPy type string such as '<f4', or an error naming what is unsupported. */
function diskType(descr: unknown, w: Where): DiskType {
  if (Array.isArray(descr)) throw fail(w, `structured dtypes are not supported (descr ${describe(descr)})`);
  const m = typeof descr === "string" ? /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr) : null;
  if (!m) throw fail(w, `unsupported dtype ${describe(descr)}`);
  const [, order, kind, sizeStr] = m as unknown as [string, string, string, string];
  const size = Number(sizeStr);
  const ok =
    (kind === "b" && size === 1) ||
    (kind === "f" && (size === 2 || size === 4 || size === 8)) ||
    ((kind === "i" || kind === "u") && (size === 1 || size === 2 || size === 4 || size === 8));
  if (!ok)
    throw fail(
      w,
      `unsupported dtype ${describe(descr)} (nabla reads bool, float16/32/64 and 8- to 64-bit integers; ` +
        `64-bit and uint32 values must fit int32)`,
    );
  return { kind: kind as DiskType["kind"], bytes: size as DiskType["bytes"], little: order !== ">" };
}

export interface NpyOptions {
  /** The file name to show in error messages. */
  file?: string;
}

/** Decodes a .npy file held in memory into a tensor (bytes after the array are ignored, as np.load does). */
export function decodeNpy(bytes: Uint8Array, opts: NpyOptions & { op?: string } = {}): Tensor {
  const w: Where = { op: opts.op ?? "decodeNpy", file: opts.file };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw fail(w, `not an NPY file (it does not start with the magic string \\x93NUMPY)`);
  const major = bytes[6] as number;
  const minor = bytes[7] as number;
  if (major < 1 || major > 3) throw fail(w, `unsupported NPY version ${major}.${minor}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major > 1 && bytes.length < 12) throw fail(w, `the file is truncated inside its preamble`);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (hlen > MAX_HEADER_BYTES) throw fail(w, `header length ${hlen} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  if (start + hlen > bytes.length)
    throw fail(w, `header length ${hlen} runs past the end of the file (${bytes.length} bytes)`);
  const raw = bytes.subarray(start, start + hlen);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? "utf-8" : "latin1", { fatal: true }).decode(raw);
  } catch {
    throw fail(w, "the header is not valid UTF-8");
  }
  const header = parsePyLiteral(text, w);
  if (typeof header !== "object" || header === null || Array.isArray(header))
    throw fail(w, `the header must be a dict, got ${describe(header)}`);
  for (const k of ["descr", "fortran_order", "shape"])
    if (!Object.hasOwn(header, k)) throw fail(w, `the header has no '${k}' key: ${describe(text.trim())}`);
  const type = diskType(header["descr"], w);
  if (header["fortran_order"] !== false) {
    if (header["fortran_order"] === true)
      throw fail(w, "fortran_order True is not supported (save a C-contiguous array: np.ascontiguousarray)");
    throw fail(w, `fortran_order must be True or False, got ${describe(header["fortran_order"])}`);
  }
  const { shape, size } = checkedShape(w, header["shape"], "the array");
  const avail = bytes.length - start - hlen;
  if (size > avail / type.bytes)
    throw fail(w, `the data is truncated: shape ${describe(shape)} needs ${size * type.bytes} bytes, ${avail} remain`);
  const { dtype, data } = readElements(w, "the array", type, bytes, start + hlen, size);
  return tensorFrom(data, shape, dtype);
}

/** Encodes a tensor as a .npy file (version 1.0, or 2.0 for very long headers). */
export function encodeNpy(t: Tensor): Uint8Array {
  if (!isTensor(t)) throw new ValueError("encodeNpy", `expected a tensor, got ${describe(t)}`);
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(", ")})`;
  const dict = `{'descr': '${DESCR[t.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  let version = 1;
  let pre = 10;
  let total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  if (total - pre > 0xffff) {
    version = 2;
    pre = 12;
    total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  }
  const hlen = total - pre;
  const data = tensorBytesLE(t);
  const out = new Uint8Array(total + data.length);
  out.set(MAGIC);
  out[6] = version;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, hlen, true);
  else dv.setUint32(8, hlen, true);
  const text = dict + " ".repeat(hlen - dict.length - 1) + "\n";
  for (let i = 0; i < text.length; i++) out[pre + i] = text.charCodeAt(i);
  out.set(data, total);
  return out;
}
