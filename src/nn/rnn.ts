// Recurrent layers RNN, LSTM and GRU (multi-layer, unrolled over time) and their single-step cells.
// Weights, gate order and equations are PyTorch's, so its weights load unchanged (weight_ih_l0 →
// weightIhL0, [G·H, in]; G = 1, 4 (i, f, g, o), 3 (r, z, n)).
import { ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { zeros } from "../tensor/create.js";
import { stack } from "../tensor/manip.js";
import { dropout } from "../tensor/nn.js";
import { reshape, squeeze, swapaxes, unsqueeze } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { gruCell, linear, lstmCell, rnnCell } from "./functional.js";
import { uniform_ } from "./init.js";
import { Module, parameter } from "./module.js";

type Mode = "rnn" | "lstm" | "gru";
const GATES: Record<Mode, number> = { rnn: 1, lstm: 4, gru: 3 };

export interface RNNOptions {
  numLayers?: number;
  bias?: boolean;
  /** Input and output as [batch, time, feature] instead of [time, batch, feature]. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode. */
  dropout?: number;
}

interface Weights {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
}

function checkSizes(op: string, inputSize: number, hiddenSize: number, numLayers: number): void {
  for (const [k, v] of Object.entries({ inputSize, hiddenSize, numLayers }))
    if (!Number.isInteger(v) || v < 1) throw new ValueError(op, `${k} must be a positive integer, got ${v}`);
}

/** Creates weightIh{sfx} [G·H, in], weightHh{sfx} [G·H, H] and biases, all U(±1/√H). */
function makeWeights(m: object, sfx: string, g: number, inSize: number, h: number, bias: boolean): void {
  const b = 1 / Math.sqrt(h);
  const rec = m as Record<string, Tensor | null>;
  rec[`weightIh${sfx}`] = uniform_(parameter(zeros([g * h, inSize])), -b, b);
  rec[`weightHh${sfx}`] = uniform_(parameter(zeros([g * h, h])), -b, b);
  rec[`biasIh${sfx}`] = bias ? uniform_(parameter(zeros([g * h])), -b, b) : null;
  rec[`biasHh${sfx}`] = bias ? uniform_(parameter(zeros([g * h])), -b, b) : null;
}
function weightsOf(m: object, sfx: string): Weights {
  const rec = m as Record<string, Tensor | null>;
  return {
    wIh: rec[`weightIh${sfx}`] as Tensor,
    wHh: rec[`weightHh${sfx}`] as Tensor,
    bIh: rec[`biasIh${sfx}`] ?? null,
    bHh: rec[`biasHh${sfx}`] ?? null,
  };
}

/** The per-layer slices [B, H] of a state [L, B, H]. */
const layersOf = (s: Tensor, n: number): Tensor[] =>
  n === 1 ? [squeeze(s, 0)] : s.split(n, 0).map((t) => squeeze(t, 0));

abstract class RNNBase<S> extends Module<[x: Tensor, state?: S], [Tensor, S]> {
  readonly numLayers: number;
  readonly batchFirst: boolean;
  readonly dropoutP: number;
  constructor(
    readonly mode: Mode,
    readonly inputSize: number,
    readonly hiddenSize: number,
    opts: RNNOptions,
  ) {
    super();
    this.numLayers = opts.numLayers ?? 1;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropoutP = opts.dropout ?? 0;
    checkSizes(this.constructor.name, inputSize, hiddenSize, this.numLayers);
    for (let l = 0; l < this.numLayers; l++)
      makeWeights(this, `L${l}`, GATES[mode], l === 0 ? inputSize : hiddenSize, hiddenSize, opts.bias ?? true);
  }
  get weightIh(): Tensor {
    return weightsOf(this, "L0").wIh;
  }
  get weightHh(): Tensor {
    return weightsOf(this, "L0").wHh;
  }
  get biasIh(): Tensor | null {
    return weightsOf(this, "L0").bIh;
  }
  get biasHh(): Tensor | null {
    return weightsOf(this, "L0").bHh;
  }

  /** One step of layer `w` from state `s` [B, H] (an [h, c] pair for LSTM), with xp = x·Wihᵀ + bih. */
  protected abstract cell(xp: Tensor, s: Tensor[], w: Weights): Tensor[];
  protected abstract toState(parts: Tensor[]): S;
  protected abstract fromState(state: S): Tensor[];

  /** x [T, B, in] ([B, T, in] with batchFirst, or unbatched [T, in]) → [output [T, B, H], final state]. */
  override forward(x: Tensor, state?: S): [Tensor, S] {
    const name = this.constructor.name;
    const unbatched = x.ndim === 2;
    if ((x.ndim !== 3 && !unbatched) || x.shape[x.ndim - 1] !== this.inputSize)
      throw new ShapeError(
        name,
        `expected input [T, B, ${this.inputSize}] (or [T, ${this.inputSize}]), got ${fmtShape(x.shape)}`,
      );
    let seq = unbatched ? unsqueeze(x, 1) : this.batchFirst ? swapaxes(x, 0, 1) : x;
    const [t, b] = seq.shape as [number, number];
    if (t === 0) throw new ShapeError(name, "the sequence is empty");
    const stateShape = [this.numLayers, b, this.hiddenSize];
    const init = state
      ? this.fromState(state).map((s) => {
          const full = unbatched ? unsqueeze(s, 1) : s;
          if (full.shape.join() !== stateShape.join())
            throw new ShapeError(name, `expected state ${fmtShape(stateShape)}, got ${fmtShape(full.shape)}`);
          return layersOf(full, this.numLayers);
        })
      : this.fromState(this.zeroState(b)).map((s) => layersOf(s, this.numLayers));
    const finals: Tensor[][] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const w = weightsOf(this, `L${l}`);
      const xp = linear(seq, w.wIh, w.bIh); // [T, B, G·H], for all steps at once
      const steps = t === 1 ? [xp] : xp.split(t, 0);
      let s = init.map((k) => k[l] as Tensor);
      const outs: Tensor[] = [];
      for (const step of steps) {
        s = this.cell(reshape(step, [b, step.shape[2] as number]), s, w);
        outs.push(s[0] as Tensor);
      }
      finals.push(s);
      seq = t === 1 ? unsqueeze(outs[0] as Tensor, 0) : stack(outs, 0);
      if (this.dropoutP > 0 && this.training && l < this.numLayers - 1)
        seq = dropout(seq, this.dropoutP, { training: true });
    }
    const out = unbatched ? squeeze(seq, 1) : this.batchFirst ? swapaxes(seq, 0, 1) : seq;
    // finals[l][k]: part k of the state of layer l → part k as [L, B, H]
    const parts = (finals[0] as Tensor[]).map((_, k) => {
      const byLayer = finals.map((f) => f[k] as Tensor);
      const s = byLayer.length === 1 ? unsqueeze(byLayer[0] as Tensor, 0) : stack(byLayer, 0);
      return unbatched ? squeeze(s, 1) : s;
    });
    return [out, this.toState(parts)];
  }

  protected abstract zeroState(batch: number): S;
  protected zeros(batch: number): Tensor {
    return zeros([this.numLayers, batch, this.hiddenSize], { dtype: this.weightIh.dtype });
  }
}

export interface ElmanOptions extends RNNOptions {
  nonlinearity?: "tanh" | "relu";
}

/** Elman RNN: h' = tanh(x·Wihᵀ + bih + h·Whhᵀ + bhh) (or relu). State h [L, B, H]. */
export class RNN extends RNNBase<Tensor> {
  readonly nonlinearity: "tanh" | "relu";
  constructor(inputSize: number, hiddenSize: number, opts: ElmanOptions = {}) {
    super("rnn", inputSize, hiddenSize, opts);
    this.nonlinearity = opts.nonlinearity ?? "tanh";
  }
  protected cell(xp: Tensor, [h]: Tensor[], w: Weights): Tensor[] {
    return [rnnCell(null, h as Tensor, w.wIh, w.wHh, null, w.bHh, this.nonlinearity, xp)];
  }
  protected toState([h]: Tensor[]): Tensor {
    return h as Tensor;
  }
  protected fromState(h: Tensor): Tensor[] {
    return [h];
  }
  protected zeroState(b: number): Tensor {
    return this.zeros(b);
  }
}

/** LSTM; state [h, c], each [L, B, H]. */
export class LSTM extends RNNBase<[Tensor, Tensor]> {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super("lstm", inputSize, hiddenSize, opts);
  }
  protected cell(xp: Tensor, [h, c]: Tensor[], w: Weights): Tensor[] {
    return lstmCell(null, [h as Tensor, c as Tensor], w.wIh, w.wHh, null, w.bHh, xp);
  }
  protected toState([h, c]: Tensor[]): [Tensor, Tensor] {
    return [h as Tensor, c as Tensor];
  }
  protected fromState([h, c]: [Tensor, Tensor]): Tensor[] {
    return [h, c];
  }
  protected zeroState(b: number): [Tensor, Tensor] {
    return [this.zeros(b), this.zeros(b)];
  }
}

/** GRU; state h [L, B, H]. */
export class GRU extends RNNBase<Tensor> {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super("gru", inputSize, hiddenSize, opts);
  }
  protected cell(xp: Tensor, [h]: Tensor[], w: Weights): Tensor[] {
    return [gruCell(null, h as Tensor, w.wIh, w.wHh, null, w.bHh, xp)];
  }
  protected toState([h]: Tensor[]): Tensor {
    return h as Tensor;
  }
  protected fromState(h: Tensor): Tensor[] {
    return [h];
  }
  protected zeroState(b: number): Tensor {
    return this.zeros(b);
  }
}

abstract class CellBase<S> extends Module<[x: Tensor, state?: S], S> {
  weightIh!: Tensor;
  weightHh!: Tensor;
  biasIh!: Tensor | null;
  biasHh!: Tensor | null;
  constructor(
    mode: Mode,
    readonly inputSize: number,
    readonly hiddenSize: number,
    opts: { bias?: boolean },
  ) {
    super();
    checkSizes(this.constructor.name, inputSize, hiddenSize, 1);
    makeWeights(this, "", GATES[mode], inputSize, hiddenSize, opts.bias ?? true);
  }
  protected zero(x: Tensor): Tensor {
    return zeros([...x.shape.slice(0, -1), this.hiddenSize], { dtype: this.weightIh.dtype });
  }
}

/** One Elman step: x [B, in], h [B, H] → h'. */
export class RNNCell extends CellBase<Tensor> {
  readonly nonlinearity: "tanh" | "relu";
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean; nonlinearity?: "tanh" | "relu" } = {}) {
    super("rnn", inputSize, hiddenSize, opts);
    this.nonlinearity = opts.nonlinearity ?? "tanh";
  }
  override forward(x: Tensor, h?: Tensor): Tensor {
    return rnnCell(x, h ?? this.zero(x), this.weightIh, this.weightHh, this.biasIh, this.biasHh, this.nonlinearity);
  }
}

/** One LSTM step: x [B, in], [h, c] → [h', c']. */
export class LSTMCell extends CellBase<[Tensor, Tensor]> {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean } = {}) {
    super("lstm", inputSize, hiddenSize, opts);
  }
  override forward(x: Tensor, state?: [Tensor, Tensor]): [Tensor, Tensor] {
    const s = state ?? [this.zero(x), this.zero(x)];
    return lstmCell(x, s, this.weightIh, this.weightHh, this.biasIh, this.biasHh);
  }
}

/** One GRU step: x [B, in], h [B, H] → h'. */
export class GRUCell extends CellBase<Tensor> {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean } = {}) {
    super("gru", inputSize, hiddenSize, opts);
  }
  override forward(x: Tensor, h?: Tensor): Tensor {
    return gruCell(x, h ?? this.zero(x), this.weightIh, this.weightHh, this.biasIh, this.biasHh);
  }
}
