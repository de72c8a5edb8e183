// nb.optim: optimizers, learning-rate schedules and gradient clipping.
export {
  Optimizer,
  type BaseHyper,
  type ParamGroup,
  type ParamsArg,
  type ParamState,
  type Update,
  type UpdateContext,
  type OptimizerStateDict,
} from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { RMSprop, Adagrad, type RMSpropOptions, type AdagradOptions } from "./rmsprop.js";
export { LRScheduler, StepLR, ExponentialLR, CosineAnnealingLR, LinearWarmup } from "./schedule.js";
export { clipGradNorm, clipGradValue } from "./clip.js";
export * as functional from "./functional.js";
