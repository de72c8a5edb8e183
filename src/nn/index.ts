// nb.nn: modules (layers, containers), initialization and the functional forms.
export { Module, parameter, isParameter, buffer, functionalCall, type AnyModule, type LoadResult } from "./module.js";
export { Sequential, ModuleList, type Layer } from "./container.js";
export { Linear, Identity, Flatten, Embedding } from "./linear.js";
export {
  ReLU,
  Tanh,
  Sigmoid,
  SiLU,
  Softplus,
  GELU,
  LeakyReLU,
  ELU,
  Softmax,
  LogSoftmax,
  Dropout,
} from "./activation.js";
export {
  Conv1d,
  Conv2d,
  MaxPool2d,
  AvgPool2d,
  AdaptiveAvgPool2d,
  type ConvLayerOptions,
  type PoolLayerOptions,
} from "./conv.js";
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormOptions, type LayerNormOptions } from "./norm.js";
export { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, type RNNOptions, type ElmanOptions } from "./rnn.js";
export { MultiHeadAttention, type AttentionOptions } from "./attention.js";
export * as init from "./init.js";
export * as functional from "./functional.js";
