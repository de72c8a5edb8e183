// Learning-rate schedules: each sets the optimizer's group lrs from a closed form of the epoch
// (call step() once per epoch, or per iteration, after opt.step()); LinearWarmup ramps up first.
import { ValueError } from "../core/errors.js";
import type { BaseHyper, Optimizer } from "./optimizer.js";

/** The base of schedules: lrAt(epoch, baseLr) defines one; step() advances and applies it. */
export abstract class LRScheduler {
  /** Each group's lr when the schedule was made. */
  readonly baseLrs: number[];
  /** The number of step() calls so far. */
  lastEpoch = 0;
  #lrs: number[];

  constructor(readonly optimizer: Optimizer<BaseHyper>) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
    this.#lrs = [...this.baseLrs];
  }
  /** The lr of a group with base lr `base` at `epoch`. */
  abstract lrAt(epoch: number, base: number): number;

  /** Sets the lrs for the current epoch (called by subclasses' constructors and by step()). */
  protected apply(): void {
    this.#lrs = this.baseLrs.map((b) => this.lrAt(this.lastEpoch, b));
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = this.#lrs[i] as number));
  }
  /** Advances one epoch (or to `epoch`) and updates the optimizer's lrs. */
  step(epoch?: number): void {
    this.lastEpoch = epoch ?? this.lastEpoch + 1;
    this.apply();
  }
  /** The lrs last set, one per parameter group. */
  getLr(): number[] {
    return [...this.#lrs];
  }
  /** The same as getLr() (PyTorch's get_last_lr). */
  getLastLr(): number[] {
    return this.getLr();
  }
  stateDict(): { lastEpoch: number; baseLrs: number[] } {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs] };
  }
  loadStateDict(d: { lastEpoch: number; baseLrs?: number[] }): void {
    if (d.baseLrs) this.baseLrs.splice(0, this.baseLrs.length, ...d.baseLrs);
    this.lastEpoch = d.lastEpoch;
    this.apply();
  }
}

/** lr = base · γ^⌊epoch / stepSize⌋. */
export class StepLR extends LRScheduler {
  readonly gamma: number;
  constructor(
    optimizer: Optimizer<BaseHyper>,
    readonly stepSize: number,
    opts: { gamma?: number } = {},
  ) {
    super(optimizer);
    if (!Number.isInteger(stepSize) || stepSize < 1)
      throw new ValueError("StepLR", `stepSize must be a positive integer, got ${stepSize}`);
    this.gamma = opts.gamma ?? 0.1;
    this.apply();
  }
  lrAt(epoch: number, base: number): number {
    return base * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** lr = base · γ^epoch. */
export class ExponentialLR extends LRScheduler {
  constructor(
    optimizer: Optimizer<BaseHyper>,
    readonly gamma: number,
  ) {
    super(optimizer);
    this.apply();
  }
  lrAt(epoch: number, base: number): number {
    return base * this.gamma ** epoch;
  }
}

/** lr = ηmin + (base − ηmin)·(1 + cos(π·epoch/tMax))/2. */
export class CosineAnnealingLR extends LRScheduler {
  readonly etaMin: number;
  constructor(
    optimizer: Optimizer<BaseHyper>,
    readonly tMax: number,
    opts: { etaMin?: number } = {},
  ) {
    super(optimizer);
    if (!(tMax > 0)) throw new ValueError("CosineAnnealingLR", `tMax must be positive, got ${tMax}`);
    this.etaMin = opts.etaMin ?? 0;
    this.apply();
  }
  lrAt(epoch: number, base: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

/**
 * Linear warmup: lr = base·(s + (1 − s)·epoch/warmupSteps) for epoch < warmupSteps (s =
 * startFactor, default 0), then `after`'s schedule counted from the end of warmup (or base).
 */
export class LinearWarmup extends LRScheduler {
  readonly startFactor: number;
  readonly after: LRScheduler | undefined;
  constructor(
    optimizer: Optimizer<BaseHyper>,
    readonly warmupSteps: number,
    opts: { startFactor?: number; after?: LRScheduler } = {},
  ) {
    super(optimizer);
    if (!Number.isInteger(warmupSteps) || warmupSteps < 0)
      throw new ValueError("LinearWarmup", `warmupSteps must be a non-negative integer, got ${warmupSteps}`);
    this.startFactor = opts.startFactor ?? 0;
    this.after = opts.after;
    if (this.after && this.after.optimizer !== optimizer)
      throw new ValueError("LinearWarmup", "the schedule after warmup must drive the same optimizer");
    if (this.after) this.baseLrs.splice(0, this.baseLrs.length, ...this.after.baseLrs);
    this.apply();
  }
  lrAt(epoch: number, base: number): number {
    if (epoch < this.warmupSteps)
      return base * (this.startFactor + ((1 - this.startFactor) * epoch) / this.warmupSteps);
    return this.after ? this.after.lrAt(epoch - this.warmupSteps, base) : base;
  }
}
