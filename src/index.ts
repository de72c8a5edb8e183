// nabla's public API, exported by name.
export { DTYPES, type DType, type TypedArray } from "./core/dtype.js";
export { NablaError, ShapeError, DTypeError, ValueError, DisposedError } from "./core/errors.js";
export { flags, setFlags } from "./core/flags.js";
export { OPS, type OpName } from "./ops/registry.js";
export type { Backend } from "./backends/backend.js";
export { backends, setBackend, getBackend, registerBackend } from "./runtime/device.js";
export { memory } from "./runtime/storage.js";
export { Tensor, realizeAll as realize, type Nested, type Axis } from "./tensor/tensor.js";
export { tensor, type TensorLike, type TensorOptions } from "./tensor/convert.js";
export {
  full,
  zeros,
  ones,
  zerosLike,
  onesLike,
  fullLike,
  arange,
  linspace,
  eye,
  rand,
  randn,
  randint,
  uniform,
  normal,
  bernoulli,
  seed,
  RandomKey,
} from "./tensor/create.js";
export * from "./tensor/math.js";
export * from "./tensor/reduce.js";
export * from "./tensor/shape.js";
export * from "./tensor/manip.js";
export * from "./tensor/indexing.js";
export * from "./tensor/linalg.js";
export * from "./tensor/nn.js";
export { grad, valueAndGrad, vjp, jvp, variable, backward, type GradOptions } from "./tensor/autodiff.js";
export { tidy, keep, dispose, debugLeaks, leakReport } from "./tensor/memory.js";
export { leaves, mapTree, type Tree } from "./tensor/pytree.js";
export * as random from "./tensor/random.js";
export { jit, explain, type JitOptions, type Jitted } from "./tensor/jit.js";
export { setOptLevel, getOptLevel } from "./runtime/options.js";
export type { Report, ReportJSON } from "./runtime/report.js";
export type { OptLevel } from "./graph/pipeline.js";
export { setTuningStore, type TuningStore } from "./runtime/autotune.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as io from "./io/index.js";
export * as data from "./data/index.js";
