// NumPy-style printing of tensor values.
import type { DType, TypedArray } from "../core/dtype.js";

function fmtNumber(v: number, dtype: DType, fixed: number | null): string {
  if (dtype === "bool") return v ? "True" : "False";
  if (dtype === "int32") return String(v);
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (fixed === null) return v.toExponential(4);
  const s = v.toFixed(fixed);
  return fixed > 0 ? s.replace(/0+$/, "") : `${s}.`;
}

/** Formats like NumPy: `tensor([[1., 2.], [3., 4.]])`, eliding the middle of long axes. */
export function formatTensor(shape: readonly number[], dtype: DType, data: TypedArray, edge = 3): string {
  const vals = Array.from(data as ArrayLike<number>);
  const finite = vals.filter((v) => Number.isFinite(v)).map(Math.abs);
  const maxAbs = finite.length ? Math.max(...finite) : 0;
  const minAbs = finite.filter((v) => v > 0).reduce((a, b) => Math.min(a, b), Infinity);
  const sci = maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity);
  const allInt = vals.every((v) => !Number.isFinite(v) || Number.isInteger(v));
  const fixed = sci ? null : allInt ? 0 : 4;
  const strs = vals.map((v) => fmtNumber(v, dtype, fixed));
  const width = Math.max(0, ...strs.map((s) => s.length));
  const pad = (s: string): string => s.padStart(width);
  const elide = data.length > 1000;
  const rec = (off: number, dim: number, indent: string): string => {
    if (dim === shape.length) return pad(strs[off] ?? "");
    const n = shape[dim] as number;
    const step = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const idx =
      elide && n > 2 * edge
        ? [...Array(edge).keys(), -1, ...Array.from({ length: edge }, (_, i) => n - edge + i)]
        : [...Array(n).keys()];
    const parts = idx.map((i) => (i < 0 ? "..." : rec(off + i * step, dim + 1, `${indent} `)));
    const sep = dim === shape.length - 1 ? ", " : `,${"\n".repeat(shape.length - dim - 1)}${indent} `;
    return `[${parts.join(sep)}]`;
  };
  const body = rec(0, 0, "       ");
  const suffix = dtype === "float32" ? "" : `, dtype=${dtype}`;
  return `tensor(${body}${suffix})`;
}
