// Per-sample image transforms, written with nabla ops (views where possible). Random transforms take
// a seed or key as their second argument, so the same key always gives the same result; derive one
// key per sample and epoch (e.g. with mapDataset and `epoch * length + i`).
import { isFloat } from "../core/dtype.js";
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { tensor } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { foldIn, keyWords, uniformAt, type KeyLike } from "./random.js";
import { RandomKey } from "../tensor/create.js";

/** Where the channels are: "CHW" (channels first, the default, as after toNCHW) or "HWC". */
export type Layout = "CHW" | "HWC";

export interface LayoutOption {
  layout?: Layout;
}

function hwAxes(op: string, x: Tensor, layout: Layout): [number, number] {
  if (layout !== "CHW" && layout !== "HWC")
    throw new ValueError(op, `layout must be "CHW" or "HWC", got ${String(layout)}`);
  if (x.ndim < 3)
    throw new ShapeError(op, `expected a ${layout} image (3 or more dimensions), got shape ${fmtShape(x.shape)}`);
  return layout === "CHW" ? [x.ndim - 2, x.ndim - 1] : [x.ndim - 3, x.ndim - 2];
}

/**
 * (x - mean) / std per channel. `mean` and `std` are numbers (all channels) or one value per
 * channel. Integer images are converted to float32 first. Works on batches ([N, C, H, W] / [N, H, W, C]) too.
 */
export function normalize(
  mean: number | readonly number[],
  std: number | readonly number[],
  opts: LayoutOption = {},
): (x: Tensor) => Tensor {
  const layout = opts.layout ?? "CHW";
  const m = typeof mean === "number" ? [mean] : [...mean];
  const s = typeof std === "number" ? [std] : [...std];
  if (m.length === 0 || s.length === 0 || (m.length !== s.length && m.length !== 1 && s.length !== 1))
    throw new ValueError("normalize", `mean (${m.length} values) and std (${s.length}) must be per channel or single`);
  if (s.some((v) => !(v !== 0 && Number.isFinite(v))))
    throw new ValueError("normalize", `std must be finite and nonzero, got ${JSON.stringify(s)}`);
  const c = Math.max(m.length, s.length);
  return (x: Tensor): Tensor => {
    const xf = isFloat(x.dtype) ? x : x.astype("float32");
    if (c === 1) return xf.sub(m[0] as number).div(s[0] as number);
    const axis = layout === "CHW" ? x.ndim - 3 : x.ndim - 1;
    if (axis < 0 || x.shape[axis] !== c)
      throw new ShapeError(
        "normalize",
        `${c} channel statistics do not fit a ${layout} image of shape ${fmtShape(x.shape)}`,
      );
    const shape = layout === "CHW" ? [c, 1, 1] : [c];
    const full = (v: number[]): number[] => (v.length === 1 ? new Array<number>(c).fill(v[0] as number) : v);
    return xf.sub(tensor(full(m), { shape, dtype: xf.dtype })).div(tensor(full(s), { shape, dtype: xf.dtype }));
  };
}

/**
 * A random `size` window (a number for a square, or [height, width]) of the image after padding each
 * side by `padding` pixels of `fill` (default 0), as in the usual CIFAR augmentation.
 */
export function randomCrop(
  size: number | readonly [number, number],
  padding = 0,
  opts: LayoutOption & { fill?: number } = {},
): (x: Tensor, key: KeyLike) => Tensor {
  const [h, w] = typeof size === "number" ? [size, size] : size;
  if (![h, w, padding].every((v) => Number.isInteger(v) && v >= 0) || h === 0 || w === 0)
    throw new ValueError(
      "randomCrop",
      `size must be positive integers and padding a count, got ${JSON.stringify([h, w])}, ${padding}`,
    );
  const layout = opts.layout ?? "CHW";
  return (x: Tensor, key: KeyLike): Tensor => {
    const [ha, wa] = hwAxes("randomCrop", x, layout);
    const padded =
      padding > 0
        ? x.pad(
            x.shape.map((_, i) => (i === ha || i === wa ? [padding, padding] : [0, 0]) as [number, number]),
            opts.fill ?? 0,
          )
        : x;
    const H = padded.shape[ha] as number;
    const W = padded.shape[wa] as number;
    if (h > H || w > W)
      throw new ShapeError("randomCrop", `cannot crop ${h}x${w} from a ${H}x${W} image (after padding ${padding})`);
    const k = keyWords(key, "randomCrop");
    const top = Math.floor(uniformAt(k, 0) * (H - h + 1));
    const left = Math.floor(uniformAt(k, 1) * (W - w + 1));
    return padded.at(
      ...padded.shape.map((_, i) =>
        i === ha ? { start: top, stop: top + h } : i === wa ? { start: left, stop: left + w } : {},
      ),
    );
  };
}

/** Mirrors the image left–right with probability `p` (default 0.5). */
export function randomHorizontalFlip(p = 0.5, opts: LayoutOption = {}): (x: Tensor, key: KeyLike) => Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError("randomHorizontalFlip", `p must be in [0, 1], got ${p}`);
  const layout = opts.layout ?? "CHW";
  return (x: Tensor, key: KeyLike): Tensor => {
    const [, wa] = hwAxes("randomHorizontalFlip", x, layout);
    return uniformAt(keyWords(key, "randomHorizontalFlip"), 0) < p ? x.flip(wa) : x;
  };
}

/** Applies transforms in order; each random one gets its own key derived from the one given. */
export function compose(...fns: ((x: Tensor, key: KeyLike) => Tensor)[]): (x: Tensor, key: KeyLike) => Tensor {
  return (x: Tensor, key: KeyLike): Tensor => {
    const k = keyWords(key, "compose");
    return fns.reduce((y, f, i) => f(y, new RandomKey(foldIn(k, i))), x);
  };
}
