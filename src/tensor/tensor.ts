// The Tensor facade: a handle to a graph node. Building is lazy; values are computed on read.
import type { DType, TypedArray } from "../core/dtype.js";
import { DisposedError, ValueError, fmtShape } from "../core/errors.js";
import { build, type Node } from "../graph/node.js";
import { getBackend } from "../runtime/device.js";
import { attach, detachStorage, readNode, realize, storageOf } from "../runtime/realize.js";
import type { Storage } from "../runtime/storage.js";
import { retainNode, releaseHandle } from "./handle.js";
import { formatTensor } from "./format.js";
import type { TensorLike } from "./convert.js";
import * as A from "./autodiff.js";
import * as I from "./indexing.js";
import * as L from "./linalg.js";
import * as M from "./math.js";
import * as N from "./nn.js";
import * as P from "./manip.js";
import * as R from "./reduce.js";
import * as S from "./shape.js";

export type Nested<T> = T | Nested<T>[];
export type Axis = number | readonly number[] | null | undefined;

let uid = 1;
/** A fresh id for leaves that must stay distinct from every other node. */
export const nextUid = (): number => uid++;

export class Tensor {
  #node: Node;
  #disposed = false;
  /** Gradient filled by `backward()` on tensors that require one. */
  grad: Tensor | undefined = undefined;
  /** Whether `backward()` computes a gradient for this tensor (see `variable`). */
  requiresGrad = false;

  constructor(node: Node) {
    this.#node = node;
    retainNode(this, node);
  }

  /** The graph node this tensor stands for. */
  get node(): Node {
    if (this.#disposed)
      throw new DisposedError("tensor", `this tensor of shape ${fmtShape(this.#node.shape)} was disposed`);
    return this.#node;
  }
  get shape(): number[] {
    return [...this.#node.shape];
  }
  get dtype(): DType {
    return this.#node.dtype;
  }
  get ndim(): number {
    return this.#node.shape.length;
  }
  get size(): number {
    return this.#node.size;
  }
  /** The backend holding the value (or that will compute it). */
  get device(): string {
    return storageOf(this.#node)?.backend.name ?? getBackend();
  }
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** Computes the value now (it is otherwise computed on first read). */
  realize(): this {
    realize([this.node]);
    return this;
  }
  /** The elements in row-major order, as a typed array (a copy). */
  dataSync(): TypedArray {
    return readNode(this.node);
  }
  async data(): Promise<TypedArray> {
    return this.dataSync();
  }
  /** The value as nested arrays (booleans for bool tensors). */
  async array(): Promise<Nested<number | boolean>> {
    return this.arraySync();
  }
  arraySync(): Nested<number | boolean> {
    const flat = Array.from(this.dataSync() as ArrayLike<number>, (v) => (this.dtype === "bool" ? v !== 0 : v));
    const nest = (off: number, dim: number): Nested<number | boolean> => {
      if (dim === this.ndim) return flat[off] as number | boolean;
      const n = this.shape[dim] as number;
      const step = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: n }, (_, i) => nest(off + i * step, dim + 1));
    };
    return nest(0, 0);
  }
  /** The single element of a size-1 tensor. */
  item(): number | boolean {
    if (this.size !== 1)
      throw new ValueError("item", `expected a tensor with one element, got shape ${fmtShape(this.shape)}`);
    const v = this.dataSync()[0] as number;
    return this.dtype === "bool" ? v !== 0 : v;
  }
  toString(): string {
    return formatTensor(this.shape, this.dtype, this.dataSync());
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.isDisposed ? "tensor(<disposed>)" : this.toString();
  }

  /** Frees the value; further use throws. Safe to call twice. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    releaseHandle(this, this.#node);
    this.grad?.dispose();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** A new leaf with this value and no history (shares the buffer; nothing is copied). */
  detach(): Tensor {
    return new Tensor(leafOf(this.node));
  }
  /** Replaces this tensor's value by `value`'s (same shape and dtype), as a fresh leaf. */
  assign(value: Tensor): this {
    if (value.dtype !== this.dtype || value.shape.join() !== this.shape.join()) {
      throw new ValueError(
        "assign",
        `expected ${fmtShape(this.shape)} ${this.dtype}, got ${fmtShape(value.shape)} ${value.dtype}`,
      );
    }
    const leaf = leafOf(value.node);
    const old = this.node;
    releaseHandle(this, old, false);
    this.#node = leaf;
    retainNode(this, leaf, false);
    return this;
  }

  // ---- elementwise (see math.ts) ----
  add(y: TensorLike): Tensor {
    return M.add(this, y);
  }
  sub(y: TensorLike): Tensor {
    return M.sub(this, y);
  }
  mul(y: TensorLike): Tensor {
    return M.mul(this, y);
  }
  div(y: TensorLike): Tensor {
    return M.div(this, y);
  }
  pow(y: TensorLike): Tensor {
    return M.pow(this, y);
  }
  mod(y: TensorLike): Tensor {
    return M.mod(this, y);
  }
  maximum(y: TensorLike): Tensor {
    return M.maximum(this, y);
  }
  minimum(y: TensorLike): Tensor {
    return M.minimum(this, y);
  }
  eq(y: TensorLike): Tensor {
    return M.eq(this, y);
  }
  ne(y: TensorLike): Tensor {
    return M.ne(this, y);
  }
  lt(y: TensorLike): Tensor {
    return M.lt(this, y);
  }
  le(y: TensorLike): Tensor {
    return M.le(this, y);
  }
  gt(y: TensorLike): Tensor {
    return M.gt(this, y);
  }
  ge(y: TensorLike): Tensor {
    return M.ge(this, y);
  }
  logicalAnd(y: TensorLike): Tensor {
    return M.logicalAnd(this, y);
  }
  logicalOr(y: TensorLike): Tensor {
    return M.logicalOr(this, y);
  }
  logicalNot(): Tensor {
    return M.logicalNot(this);
  }
  neg(): Tensor {
    return M.neg(this);
  }
  abs(): Tensor {
    return M.abs(this);
  }
  sign(): Tensor {
    return M.sign(this);
  }
  exp(): Tensor {
    return M.exp(this);
  }
  log(): Tensor {
    return M.log(this);
  }
  log1p(): Tensor {
    return M.log1p(this);
  }
  expm1(): Tensor {
    return M.expm1(this);
  }
  sqrt(): Tensor {
    return M.sqrt(this);
  }
  rsqrt(): Tensor {
    return M.rsqrt(this);
  }
  reciprocal(): Tensor {
    return M.reciprocal(this);
  }
  square(): Tensor {
    return M.square(this);
  }
  sin(): Tensor {
    return M.sin(this);
  }
  cos(): Tensor {
    return M.cos(this);
  }
  tan(): Tensor {
    return M.tan(this);
  }
  tanh(): Tensor {
    return M.tanh(this);
  }
  erf(): Tensor {
    return M.erf(this);
  }
  sigmoid(): Tensor {
    return M.sigmoid(this);
  }
  relu(): Tensor {
    return M.relu(this);
  }
  leakyRelu(slope?: number): Tensor {
    return M.leakyRelu(this, slope);
  }
  elu(alpha?: number): Tensor {
    return M.elu(this, alpha);
  }
  gelu(approximate?: "none" | "tanh"): Tensor {
    return M.gelu(this, approximate);
  }
  silu(): Tensor {
    return M.silu(this);
  }
  softplus(): Tensor {
    return M.softplus(this);
  }
  floor(): Tensor {
    return M.floor(this);
  }
  ceil(): Tensor {
    return M.ceil(this);
  }
  round(): Tensor {
    return M.round(this);
  }
  clamp(lo?: number | null, hi?: number | null): Tensor {
    return M.clamp(this, lo, hi);
  }
  astype(dtype: DType): Tensor {
    return M.astype(this, dtype);
  }
  stopGradient(): Tensor {
    return M.stopGradient(this);
  }

  // ---- reductions (see reduce.ts) ----
  sum(axis?: Axis, keepdims?: boolean): Tensor {
    return R.sum(this, axis, keepdims);
  }
  mean(axis?: Axis, keepdims?: boolean): Tensor {
    return R.mean(this, axis, keepdims);
  }
  prod(axis?: Axis, keepdims?: boolean): Tensor {
    return R.prod(this, axis, keepdims);
  }
  max(axis?: Axis, keepdims?: boolean): Tensor {
    return R.max(this, axis, keepdims);
  }
  min(axis?: Axis, keepdims?: boolean): Tensor {
    return R.min(this, axis, keepdims);
  }
  argmax(axis?: number | null, keepdims?: boolean): Tensor {
    return R.argmax(this, axis, keepdims);
  }
  argmin(axis?: number | null, keepdims?: boolean): Tensor {
    return R.argmin(this, axis, keepdims);
  }
  variance(axis?: Axis, opts?: R.VarianceOptions): Tensor {
    return R.variance(this, axis, opts);
  }
  std(axis?: Axis, opts?: R.VarianceOptions): Tensor {
    return R.std(this, axis, opts);
  }
  logsumexp(axis?: Axis, keepdims?: boolean): Tensor {
    return R.logsumexp(this, axis, keepdims);
  }
  all(axis?: Axis, keepdims?: boolean): Tensor {
    return R.all(this, axis, keepdims);
  }
  any(axis?: Axis, keepdims?: boolean): Tensor {
    return R.any(this, axis, keepdims);
  }
  cumsum(axis?: number): Tensor {
    return R.cumsum(this, axis);
  }

  // ---- shape (see shape.ts, manip.ts, indexing.ts) ----
  reshape(shape: readonly number[]): Tensor {
    return S.reshape(this, shape);
  }
  transpose(perm?: readonly number[]): Tensor {
    return S.transpose(this, perm);
  }
  permute(...perm: number[]): Tensor {
    return S.permute(this, perm);
  }
  swapaxes(a: number, b: number): Tensor {
    return S.swapaxes(this, a, b);
  }
  moveaxis(src: number, dst: number): Tensor {
    return S.moveaxis(this, src, dst);
  }
  expand(shape: readonly number[]): Tensor {
    return S.expand(this, shape);
  }
  broadcastTo(shape: readonly number[]): Tensor {
    return S.expand(this, shape);
  }
  squeeze(axis?: number | readonly number[]): Tensor {
    return S.squeeze(this, axis);
  }
  unsqueeze(axis: number): Tensor {
    return S.unsqueeze(this, axis);
  }
  flatten(start?: number, end?: number): Tensor {
    return S.flatten(this, start, end);
  }
  pad(widths: readonly (readonly [number, number])[] | number, value?: number): Tensor {
    return P.pad(this, widths, value);
  }
  flip(axis?: number | readonly number[]): Tensor {
    return P.flip(this, axis);
  }
  tile(reps: readonly number[]): Tensor {
    return P.tile(this, reps);
  }
  repeat(repeats: number, axis?: number): Tensor {
    return P.repeat(this, repeats, axis);
  }
  split(sections: number | readonly number[], axis?: number): Tensor[] {
    return P.split(this, sections, axis);
  }
  chunk(n: number, axis?: number): Tensor[] {
    return P.chunk(this, n, axis);
  }
  triu(k?: number): Tensor {
    return P.triu(this, k);
  }
  tril(k?: number): Tensor {
    return P.tril(this, k);
  }
  /** NumPy-style indexing: `t.at("1:, ::2, None, ...")`, or typed items (see docs/indexing.md). */
  at(...index: (string | I.IndexItem)[]): Tensor {
    return I.at(this, ...index);
  }
  take(indices: TensorLike, axis?: number): Tensor {
    return I.take(this, indices, axis);
  }
  takeAlongAxis(indices: TensorLike, axis: number): Tensor {
    return I.takeAlongAxis(this, indices, axis);
  }
  scatterAdd(indices: TensorLike, updates: TensorLike, axis?: number): Tensor {
    return I.scatterAdd(this, indices, updates, axis);
  }
  oneHot(n: number): Tensor {
    return I.oneHot(this, n);
  }

  // ---- linear algebra and nn (see linalg.ts, nn.ts) ----
  matmul(y: TensorLike): Tensor {
    return L.matmul(this, y);
  }
  dot(y: TensorLike): Tensor {
    return L.dot(this, y);
  }
  outer(y: TensorLike): Tensor {
    return L.outer(this, y);
  }
  softmax(axis?: number): Tensor {
    return N.softmax(this, axis);
  }
  logSoftmax(axis?: number): Tensor {
    return N.logSoftmax(this, axis);
  }

  /** Fills `.grad` on the variables this scalar depends on (see `variable`). */
  backward(cotangent?: Tensor): void {
    A.backward(this, cotangent);
  }
}

/** Computes several tensors at once (one compiled plan, so shared work runs once). */
export function realizeAll(...ts: Tensor[]): void {
  realize(ts.map((t) => t.node));
}

/** Realizes `n` and returns a new constant leaf sharing its buffer. */
export function leafOf(n: Node): Node {
  realize([n]);
  if (n.op === "const") return n;
  const leaf = build("const", [], { uid: nextUid(), shape: [...n.shape], dtype: n.dtype });
  attach(leaf, storageOf(n) as Storage, n.realized?.view);
  // the value now lives on the leaf; a node no tensor holds must not keep the buffer too
  if (n.handles <= 0) detachStorage(n);
  return leaf;
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
