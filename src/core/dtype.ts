// Data types and the promotion lattice. The first layer: imports nothing.

/** The element types a tensor can hold. */
export const DTYPES = ["bool", "int32", "float32", "float64"] as const;
export type DType = (typeof DTYPES)[number];

/** Typed-array storage used for each dtype (bool is stored as one byte). */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

const ARRAY_CTOR = {
  bool: Uint8Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

export const BYTES: Record<DType, number> = { bool: 1, int32: 4, float32: 4, float64: 8 };

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

export function isFloat(d: DType): boolean {
  return d === "float32" || d === "float64";
}

/** Allocates zeroed storage for `n` elements of dtype `d`. */
export function allocArray(d: DType, n: number): TypedArray {
  return new ARRAY_CTOR[d](n);
}

/** Views raw bytes as the typed array of dtype `d`. */
export function viewBytes(d: DType, bytes: ArrayBufferLike, byteOffset = 0, length?: number): TypedArray {
  return new ARRAY_CTOR[d](bytes as ArrayBuffer, byteOffset, length ?? (bytes.byteLength - byteOffset) / BYTES[d]);
}

/** The dtype that typed-array storage corresponds to, if any. */
export function dtypeOfArray(a: ArrayLike<unknown>): DType | undefined {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Uint8Array) return "bool";
  return undefined;
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/**
 * NumPy-like promotion on the chain bool < int32 < float32 < float64. A weak scalar (a JS number
 * mixed with a tensor) does not widen the tensor's dtype: `float32 tensor + 1.5` stays float32, and
 * `int32 tensor + 1.5` becomes float32.
 */
export function promote(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** The dtype of a JavaScript scalar when it stands on its own. */
export function scalarDType(v: number | boolean): DType {
  if (typeof v === "boolean") return "bool";
  return Number.isInteger(v) ? "int32" : "float32";
}

/** Promotion of a tensor dtype with a weak JavaScript scalar. */
export function promoteWeak(t: DType, v: number | boolean): DType {
  const s = scalarDType(v);
  if (isFloat(t)) return t;
  if (s === "float32") return "float32";
  return promote(t, s);
}

/** Rounds or converts a JS number to the value a dtype can hold. */
export function castScalar(v: number, d: DType): number {
  switch (d) {
    case "bool":
      return v !== 0 ? 1 : 0; // NaN is nonzero, so true (as in NumPy)
    case "int32":
      return Number.isFinite(v) ? Math.trunc(v) | 0 : 0;
    case "float32":
      return Math.fround(v);
    case "float64":
      return v;
  }
}
