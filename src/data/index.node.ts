// nb.data for Node: everything in index.ts plus the loaders that read files.
export * from "./index.js";
export { loadIdx } from "./idx.node.js";
export { loadMnist, type Mnist, type MnistSplit } from "./mnist.node.js";
export { loadTextCorpus, toAscii, type TextCorpus, type TextCorpusOptions } from "./corpus.node.js";
