// Convolution and pooling as composites of primitives (so they get gradients and every backend).
//
// Both start from the sliding windows of the (padded) input, [N, C, ΠK, O…]: one strided slice per
// kernel offset, stacked (see `windows`). A convolution is then im2col: the windows reshaped to
// columns [N, G, C/G·ΠK, ΠO] and one matmul with the weight reshaped to [G, O/G, C/G·ΠK] (batched
// over the groups G). Pooling reduces the window axis with max or mean.
import { isFloat, promote, type DType } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { shapesEqual, sizeOf } from "../core/shape.js";
import { build, type Node } from "../graph/node.js";
import { asTensor, castNode, type TensorLike } from "./convert.js";
import { matmul } from "./linalg.js";
import { add } from "./math.js";
import { max, mean } from "./reduce.js";
import { reshape } from "./shape.js";
import { Tensor } from "./tensor.js";

export interface ConvOptions {
  stride?: number | readonly number[];
  /**
   * Zero padding: one number for every side, one per spatial axis (both sides), "valid" (none) or
   * "same": output size ceil(input / stride), the total padding d·(k−1)+1+(o−1)·s−i split with the
   * extra element after (as in PyTorch for stride 1 and JAX/TensorFlow "SAME" for any stride).
   */
  padding?: number | readonly number[] | "same" | "valid";
  dilation?: number | readonly number[];
  groups?: number;
}

export interface PoolOptions {
  /** Default: the kernel size. */
  stride?: number | readonly number[];
  /** Per side; at most half the kernel (as in PyTorch), so every window holds an input element. */
  padding?: number | readonly number[];
}

type Size = number | readonly number[];
type Widths = [number, number][];

/** `v` as `n` integers >= `min` (a number stands for all of them). */
function tuple(op: string, name: string, v: Size, n: number, min: number): number[] {
  const arr = typeof v === "number" ? new Array<number>(n).fill(v) : [...v];
  if (arr.length !== n || arr.some((d) => !Number.isInteger(d) || d < min)) {
    const what = min === 0 ? "non-negative" : "positive";
    throw new ValueError(op, `${name} must be a ${what} integer or ${n} of them, got ${JSON.stringify(v)}`);
  }
  return arr;
}

const reshapeN = (n: Node, shape: readonly number[]): Node =>
  shapesEqual(n.shape, shape) ? n : build("reshape", [n], { shape: [...shape] });

/**
 * The sliding windows of x [B…, I…] (the last k.length axes are spatial), stacked on one axis:
 * out[b…, q, t…] = x[b…, t·s + a·d] for kernel offset a (q = its row-major index), with shape
 * [B…, ΠK, O…] and O = ⌊(I − d(K−1) − 1)/s⌋ + 1 (the caller checks O >= 1).
 *
 * Each offset is one strided slice (a view); they are stacked by padding each into its place on the
 * new axis and adding (pad-sum), which keeps every kernel expression shallow (the kernel IR is a
 * tree, so long chains of non-view reshapes grow exponentially) and makes the gradient a sum of
 * strided scatters (col2im).
 */
function windows(x: Node, k: readonly number[], s: readonly number[], d: readonly number[]): Node {
  const lead = x.shape.slice(0, x.shape.length - k.length);
  const ins = x.shape.slice(lead.length);
  const outs = ins.map((i, j) => Math.floor((i - (d[j] ?? 1) * ((k[j] ?? 1) - 1) - 1) / (s[j] ?? 1)) + 1);
  const offsets = k.reduce<number[][]>(
    (acc, kj) => acc.flatMap((o) => Array.from({ length: kj }, (_, a) => [...o, a])),
    [[]],
  );
  const still = lead.map((): [number, number] => [0, 0]);
  let acc: Node | undefined;
  offsets.forEach((off, q) => {
    const win = build("slice", [x], {
      starts: [...lead.map(() => 0), ...off.map((a, j) => a * (d[j] ?? 1))],
      steps: [...lead.map(() => 1), ...s],
      shape: [...lead, ...outs],
    });
    let term = reshapeN(win, [...lead, 1, ...outs]);
    if (offsets.length > 1)
      term = build("pad", [term], {
        widths: [...still, [q, offsets.length - 1 - q], ...outs.map((): [number, number] => [0, 0])],
        value: 0,
      });
    acc = acc ? build("add", [acc, term]) : term;
  });
  return acc as Node;
}

function convPadding(
  op: string,
  p: ConvOptions["padding"],
  ins: readonly number[],
  k: readonly number[],
  s: readonly number[],
  d: readonly number[],
): Widths {
  if (p === "valid") return ins.map(() => [0, 0]);
  if (p === "same") {
    return ins.map((i, j) => {
      const [kj, sj, dj] = [k[j] ?? 1, s[j] ?? 1, d[j] ?? 1];
      const total = Math.max((Math.ceil(i / sj) - 1) * sj + dj * (kj - 1) + 1 - i, 0);
      const lo = Math.floor(total / 2);
      return [lo, total - lo];
    });
  }
  if (typeof p === "string")
    throw new ValueError(op, `padding must be a number, a list, "same" or "valid", got "${String(p)}"`);
  return tuple(op, "padding", p ?? 0, ins.length, 0).map((v) => [v, v]);
}

/** Throws unless every padded spatial size holds the (dilated) kernel. */
function checkFits(op: string, x: Tensor, k: number[], d: number[], pads: Widths): void {
  const ins = x.shape.slice(x.ndim - k.length);
  ins.forEach((i, j) => {
    const [lo, hi] = pads[j] ?? [0, 0];
    const span = (d[j] ?? 1) * ((k[j] ?? 1) - 1) + 1;
    if (i + lo + hi < span) {
      throw new ShapeError(
        op,
        `kernel ${fmtShape(k)} (dilation ${fmtShape(d)}) spans ${span} but spatial axis ${j} of x ${fmtShape(x.shape)} ` +
          `is ${i + lo + hi} after padding ${JSON.stringify(pads)}`,
      );
    }
  });
}

const padNode = (n: Node, spatial: Widths, value: number): Node =>
  spatial.every(([a, b]) => a === 0 && b === 0)
    ? n
    : build("pad", [n], {
        widths: [...n.shape.slice(0, n.shape.length - spatial.length).map((): [number, number] => [0, 0]), ...spatial],
        value,
      });

function convNd(
  op: string,
  nd: number,
  x0: TensorLike,
  w0: TensorLike,
  b0: TensorLike | null | undefined,
  o: ConvOptions,
): Tensor {
  const x = asTensor(x0);
  const w = asTensor(w0);
  const spatial = nd === 1 ? "L" : "H,W";
  const kern = nd === 1 ? "K" : "KH,KW";
  if (x.ndim !== nd + 2)
    throw new ShapeError(op, `expected x of rank ${nd + 2} [N,C,${spatial}], got ${fmtShape(x.shape)}`);
  if (w.ndim !== nd + 2)
    throw new ShapeError(op, `expected weight of rank ${nd + 2} [O,C/groups,${kern}], got ${fmtShape(w.shape)}`);
  if (x.dtype === "bool" || w.dtype === "bool")
    throw new DTypeError(op, `expected numeric x and weight, got ${x.dtype} and ${w.dtype}`);
  const groups = o.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1)
    throw new ValueError(op, `groups must be a positive integer, got ${groups}`);
  const [n, c] = x.shape as [number, number];
  const [out, cg] = w.shape as [number, number];
  const k = w.shape.slice(2);
  if (out % groups !== 0)
    throw new ShapeError(
      op,
      `output channels ${out} (weight ${fmtShape(w.shape)}) are not divisible by groups ${groups}`,
    );
  if (cg * groups !== c)
    throw new ShapeError(
      op,
      `expected input channels ${cg * groups} (weight ${fmtShape(w.shape)}, groups ${groups}), got x ${fmtShape(x.shape)}`,
    );
  if (k.some((v) => v < 1)) throw new ShapeError(op, `weight ${fmtShape(w.shape)} has an empty kernel`);
  const s = tuple(op, "stride", o.stride ?? 1, nd, 1);
  const d = tuple(op, "dilation", o.dilation ?? 1, nd, 1);
  const pads = convPadding(op, o.padding ?? 0, x.shape.slice(2), k, s, d);
  checkFits(op, x, k, d, pads);
  let bias: Tensor | null = null;
  if (b0 !== undefined && b0 !== null) {
    bias = asTensor(b0);
    if (!shapesEqual(bias.shape, [out]))
      throw new ShapeError(
        op,
        `expected bias of shape [${out}] for weight ${fmtShape(w.shape)}, got ${fmtShape(bias.shape)}`,
      );
  }
  const dt = promote(x.dtype, w.dtype);
  const cols = windows(padNode(castNode(x.node, dt), pads, 0), k, s, d);
  const outs = cols.shape.slice(3);
  const kc = cg * sizeOf(k);
  const colT = new Tensor(reshapeN(cols, [n, groups, kc, sizeOf(outs)]));
  const wT = new Tensor(reshapeN(castNode(w.node, dt), [groups, out / groups, kc]));
  const y = reshape(matmul(wT, colT), [n, out, ...outs]);
  return bias ? add(y, reshape(bias, [out, ...outs.map(() => 1)])) : y;
}

/** 1-D convolution, x [N, C, L], w [O, C/groups, K], optional bias [O]. */
export function conv1d(x: TensorLike, w: TensorLike, bias?: TensorLike | null, opts: ConvOptions = {}): Tensor {
  return convNd("conv1d", 1, x, w, bias, opts);
}
/** 2-D convolution, x [N, C, H, W] (NCHW), w [O, C/groups, KH, KW], optional bias [O]. */
export function conv2d(x: TensorLike, w: TensorLike, bias?: TensorLike | null, opts: ConvOptions = {}): Tensor {
  return convNd("conv2d", 2, x, w, bias, opts);
}

/** The most negative finite value of `dt` (finite: node params must survive JSON, see pool2d). */
const lowest = (dt: DType): number =>
  dt === "float64" ? -Number.MAX_VALUE : dt === "float32" ? -3.4028234663852886e38 : -2147483648;

function pool2d(op: string, x0: TensorLike, kernel: Size, o: PoolOptions, kind: "max" | "avg"): Tensor {
  let x = asTensor(x0);
  if (x.ndim !== 3 && x.ndim !== 4)
    throw new ShapeError(op, `expected x [N,C,H,W] or [C,H,W], got ${fmtShape(x.shape)}`);
  if (x.dtype === "bool") throw new DTypeError(op, `expected a numeric x, got bool`);
  const k = tuple(op, "kernel", kernel, 2, 1);
  const s = tuple(op, "stride", o.stride ?? k, 2, 1);
  const p = tuple(op, "padding", o.padding ?? 0, 2, 0);
  if (p.some((v, j) => 2 * v > (k[j] ?? 1)))
    throw new ValueError(op, `padding ${fmtShape(p)} must be at most half of kernel ${fmtShape(k)}`);
  const pads = p.map((v): [number, number] => [v, v]);
  checkFits(op, x, k, [1, 1], pads);
  if (kind === "avg" && !isFloat(x.dtype)) x = x.astype("float32");
  // Max pads with the lowest finite value rather than -Infinity: no window is all padding (padding
  // <= kernel/2), so only an all -Infinity window differs (it gives the lowest finite value).
  const win = new Tensor(windows(padNode(x.node, pads, kind === "max" ? lowest(x.dtype) : 0), k, s, [1, 1]));
  return kind === "max" ? max(win, x.ndim - 2) : mean(win, x.ndim - 2);
}

/**
 * Max over kh×kw windows of x [N, C, H, W] (or [C, H, W]); stride defaults to the kernel. Padding
 * never wins the max. The gradient of tied maxima in a window is shared evenly between them.
 */
export function maxPool2d(x: TensorLike, kernel: Size, opts: PoolOptions = {}): Tensor {
  return pool2d("maxPool2d", x, kernel, opts, "max");
}
/**
 * Mean over kh×kw windows; stride defaults to the kernel. Padding counts as zeros in the mean
 * (PyTorch's default count_include_pad=true): every window divides by kh·kw.
 */
export function avgPool2d(x: TensorLike, kernel: Size, opts: PoolOptions = {}): Tensor {
  return pool2d("avgPool2d", x, kernel, opts, "avg");
}
