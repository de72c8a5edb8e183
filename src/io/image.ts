// Images: PNG (through pngjs) and JPEG (through jpeg-js) to and from HWC tensors, and the layout
// helpers toNCHW / fromNCHW. The codecs are imported on first use, so importing nb.io loads neither.
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { permute } from "../tensor/shape.js";
import { isTensor, type Tensor } from "../tensor/tensor.js";
import { fail, tensorFrom, type Where } from "./binary.js";

export interface DecodeImageOptions {
  /** "int32" (default): values 0..255; "float32": values / 255, in [0, 1]. */
  dtype?: "int32" | "float32";
  /** Convert to this many channels (1: gray, 3: RGB, 4: RGBA). Default: as stored. */
  channels?: 1 | 3 | 4;
  /** Images with more pixels than this are rejected before they are decoded (default 100 million). */
  maxPixels?: number;
  /** The file name to show in error messages. */
  file?: string;
}

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Decodes a PNG or JPEG image (recognized by its first bytes) into an [H, W, C] tensor. C is as
 * stored: 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA); JPEGs decode to RGB. 16-bit PNGs are
 * scaled to 8 bits.
 */
export async function decodeImage(bytes: Uint8Array, opts: DecodeImageOptions = {}): Promise<Tensor> {
  const w: Where = { op: "decodeImage", file: opts.file };
  const maxPixels = opts.maxPixels ?? 1e8;
  let width: number;
  let height: number;
  let c: number;
  let pixels: Uint8Array; // c channels per pixel
  if (PNG_SIG.every((b, i) => bytes[i] === b)) {
    // IHDR must come first: check the size before pngjs allocates for it
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < 33 || String.fromCharCode(...bytes.subarray(12, 16)) !== "IHDR")
      throw fail(w, "corrupt PNG: the IHDR chunk is missing");
    width = dv.getUint32(16);
    height = dv.getUint32(20);
    checkSize(w, width, height, maxPixels);
    const { PNG } = await import("pngjs");
    let png;
    try {
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      png = PNG.sync.read(buf);
    } catch (e) {
      throw fail(w, `corrupt PNG: ${(e as Error).message}`);
    }
    c = (png.color ? 3 : 1) + (png.alpha ? 1 : 0);
    pixels = pick(png.data, width * height, c);
  } else if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    const jpeg = await import("jpeg-js");
    let img;
    try {
      img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        maxResolutionInMP: maxPixels / 1e6,
        maxMemoryUsageInMB: Math.max(512, (maxPixels * 8) / 2 ** 20),
      });
    } catch (e) {
      throw fail(w, `corrupt or unsupported JPEG: ${(e as Error).message}`);
    }
    width = img.width;
    height = img.height;
    checkSize(w, width, height, maxPixels);
    c = 3;
    pixels = img.data;
  } else {
    const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw fail(w, `not a PNG or JPEG image (it starts with ${head || "nothing"})`);
  }
  if (opts.channels !== undefined && opts.channels !== c) {
    if (![1, 3, 4].includes(opts.channels))
      throw new ValueError("decodeImage", `channels must be 1, 3 or 4, got ${String(opts.channels)}`);
    pixels = convertChannels(pixels, width * height, c, opts.channels);
    c = opts.channels;
  }
  const shape = [height, width, c];
  if (opts.dtype === "float32") {
    const out = new Float32Array(pixels.length);
    for (let i = 0; i < out.length; i++) out[i] = (pixels[i] as number) / 255;
    return tensorFrom(out, shape, "float32");
  }
  if (opts.dtype !== undefined && opts.dtype !== "int32")
    throw new ValueError("decodeImage", `dtype must be "int32" or "float32", got ${String(opts.dtype)}`);
  return tensorFrom(Int32Array.from(pixels), shape, "int32");
}

function checkSize(w: Where, width: number, height: number, maxPixels: number): void {
  if (width === 0 || height === 0) throw fail(w, `the image is ${width}x${height}: it has no pixels`);
  if (width * height > maxPixels)
    throw fail(w, `the image is ${width}x${height}, more than maxPixels (${maxPixels}) allows`);
}

/** Channels 0..c-1 of RGBA data, where gray is R and gray + alpha is R, A. */
function pick(rgba: Uint8Array, n: number, c: number): Uint8Array {
  if (c === 4) return new Uint8Array(rgba.buffer, rgba.byteOffset, n * 4);
  const src = c === 2 ? [0, 3] : c === 1 ? [0] : [0, 1, 2];
  const out = new Uint8Array(n * c);
  for (let p = 0; p < n; p++) for (let k = 0; k < c; k++) out[p * c + k] = rgba[p * 4 + (src[k] as number)] as number;
  return out;
}

/** Gray from RGB with the ITU-R 601 weights (as PIL's "L" mode), rounded. */
const luma = (r: number, g: number, b: number): number => Math.round((r * 299 + g * 587 + b * 114) / 1000);

function convertChannels(px: Uint8Array, n: number, from: number, to: number): Uint8Array {
  const out = new Uint8Array(n * to);
  for (let p = 0; p < n; p++) {
    const s = p * from;
    const gray = from <= 2;
    const r = px[s] as number;
    const g = gray ? r : (px[s + 1] as number);
    const b = gray ? r : (px[s + 2] as number);
    const a = from === 2 ? (px[s + 1] as number) : from === 4 ? (px[s + 3] as number) : 255;
    const d = p * to;
    if (to === 1) out[d] = gray ? r : luma(r, g, b);
    else {
      out[d] = r;
      out[d + 1] = g;
      out[d + 2] = b;
      if (to === 4) out[d + 3] = a;
    }
  }
  return out;
}

/** An image tensor ([H, W] or [H, W, C], C ∈ {1, 2, 3, 4}) as RGBA bytes; floats are read as [0, 1]. */
function toRGBA(t: Tensor, op: string): { rgba: Uint8Array; width: number; height: number; c: number } {
  if (!isTensor(t)) throw new ValueError(op, "expected an image tensor");
  const s = t.shape;
  const c = s.length === 2 ? 1 : (s[2] ?? 0);
  if ((s.length !== 2 && s.length !== 3) || c < 1 || c > 4)
    throw new ShapeError(op, `expected an [H, W] or [H, W, C] image with C = 1, 2, 3 or 4, got ${fmtShape(s)}`);
  const [height, width] = s as [number, number];
  if (height === 0 || width === 0) throw new ShapeError(op, `cannot encode an empty image of shape ${fmtShape(s)}`);
  const data = t.dataSync();
  const isFloat = t.dtype === "float32" || t.dtype === "float64";
  const scale = t.dtype === "bool" ? 255 : 1;
  const byte = (v: number): number => {
    const x = isFloat ? Math.round(v * 255) : v * scale;
    return x >= 255 ? 255 : x > 0 ? x : 0; // NaN and negatives become 0
  };
  const n = height * width;
  const rgba = new Uint8Array(n * 4);
  for (let p = 0; p < n; p++) {
    const v = (k: number): number => byte(data[p * c + k] as number);
    const d = p * 4;
    if (c <= 2) rgba[d] = rgba[d + 1] = rgba[d + 2] = v(0);
    else [rgba[d], rgba[d + 1], rgba[d + 2]] = [v(0), v(1), v(2)];
    rgba[d + 3] = c === 2 ? v(1) : c === 4 ? v(3) : 255;
  }
  return { rgba, width, height, c };
}

/**
 * Encodes an image tensor as PNG: [H, W] or [H, W, C] with C = 1 (gray), 2 (gray + alpha), 3 (RGB)
 * or 4 (RGBA). Float tensors are read as [0, 1] and rounded; integers as 0..255; both are clamped.
 */
export async function encodePng(t: Tensor): Promise<Uint8Array> {
  const { rgba, width, height, c } = toRGBA(t, "encodePng");
  const { PNG } = await import("pngjs");
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  const colorType = c === 1 ? 0 : c === 2 ? 4 : c === 3 ? 2 : 6;
  const out = PNG.sync.write(png, { colorType, inputColorType: 6, inputHasAlpha: true });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Encodes an image tensor (as for encodePng; alpha is dropped) as a baseline JPEG of `quality` 1..100. */
export async function encodeJpeg(t: Tensor, quality = 90): Promise<Uint8Array> {
  if (!(quality >= 1 && quality <= 100))
    throw new ValueError("encodeJpeg", `quality must be in 1..100, got ${quality}`);
  const { rgba, width, height } = toRGBA(t, "encodeJpeg");
  const jpeg = await import("jpeg-js");
  const out = jpeg.encode({ data: rgba, width, height }, quality).data;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** [N, H, W, C] → [N, C, H, W] (or [H, W, C] → [C, H, W]); a view, nothing is copied. */
export function toNCHW(x: Tensor): Tensor {
  if (x.ndim === 3) return permute(x, [2, 0, 1]);
  if (x.ndim === 4) return permute(x, [0, 3, 1, 2]);
  throw new ShapeError("toNCHW", `expected [N, H, W, C] or [H, W, C], got ${fmtShape(x.shape)}`);
}

/** [N, C, H, W] → [N, H, W, C] (or [C, H, W] → [H, W, C]); a view, nothing is copied. */
export function fromNCHW(x: Tensor): Tensor {
  if (x.ndim === 3) return permute(x, [1, 2, 0]);
  if (x.ndim === 4) return permute(x, [0, 2, 3, 1]);
  throw new ShapeError("fromNCHW", `expected [N, C, H, W] or [C, H, W], got ${fmtShape(x.shape)}`);
}
