// nb.data: datasets, batching (DataLoader, collate), seeded shuffling, image transforms and the IDX
// format. Browser-safe; Node-only loaders (loadMnist, loadTextCorpus, loadIdx) are in index.node.ts.
export { TensorDataset, mapDataset, subset, randomSplit, type Dataset } from "./dataset.js";
export { collate, stackHost } from "./collate.js";
export { DataLoader, type DataLoaderOptions } from "./loader.js";
export { permutation, type KeyLike } from "./random.js";
export { normalize, randomCrop, randomHorizontalFlip, compose, type Layout, type LayoutOption } from "./transforms.js";
export { readIdx } from "./idx.js";
