// The IDX format of the original MNIST files (browser-safe): two zero bytes, a type byte, the number
// of dimensions, each dimension as a big-endian uint32, then the data, big endian, row-major.
import { checkedShape, fail, readElements, tensorFrom, type DiskType, type Where } from "../io/binary.js";
import type { Tensor } from "../tensor/tensor.js";

const TYPES: Record<number, DiskType> = {
  0x08: { kind: "u", bytes: 1, little: false },
  0x09: { kind: "i", bytes: 1, little: false },
  0x0b: { kind: "i", bytes: 2, little: false },
  0x0c: { kind: "i", bytes: 4, little: false },
  0x0d: { kind: "f", bytes: 4, little: false },
  0x0e: { kind: "f", bytes: 8, little: false },
};

/**
 * Decodes an IDX file held in memory (not gzipped: see loadIdx for .gz files). Unsigned and signed
 * bytes and shorts become int32; floats stay float32 / float64.
 */
export function readIdx(bytes: Uint8Array, opts: { file?: string; op?: string } = {}): Tensor {
  const w: Where = { op: opts.op ?? "readIdx", file: opts.file };
  if (bytes.length < 4) throw fail(w, `the file is ${bytes.length} bytes long, too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const gz = bytes[0] === 0x1f && bytes[1] === 0x8b ? " (it is gzipped: decompress it, or use loadIdx)" : "";
    throw fail(w, `not an IDX file: the magic number must start with two zero bytes${gz}`);
  }
  const code = bytes[2] as number;
  const type = TYPES[code];
  if (!type)
    throw fail(w, `unknown IDX data type 0x${code.toString(16).padStart(2, "0")} (known: 08, 09, 0b, 0c, 0d, 0e)`);
  const ndim = bytes[3] as number;
  const start = 4 + 4 * ndim;
  if (bytes.length < start) throw fail(w, `the header declares ${ndim} dimensions but the file ends inside them`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndim }, (_, i) => dv.getUint32(4 + 4 * i, false));
  const { shape, size } = checkedShape(w, dims, "the array");
  const avail = bytes.length - start;
  if (size > avail / type.bytes)
    throw fail(
      w,
      `the data is truncated: shape [${shape.join(",")}] needs ${size * type.bytes} bytes, ${avail} remain`,
    );
  if (avail !== size * type.bytes)
    throw fail(w, `${avail - size * type.bytes} bytes follow the data of shape [${shape.join(",")}]`);
  const { dtype, data } = readElements(w, "the array", type, bytes, start, size);
  return tensorFrom(data, shape, dtype);
}
