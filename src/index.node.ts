// nabla for Node.js: the public API, plus what only Node has (a persistent autotuning cache).
import { setTuningStore } from "./runtime/autotune.js";
import { fileTuningStore } from "./runtime/tuning-store.node.js";

setTuningStore(fileTuningStore());

export * from "./index.js";
export * as data from "./data/index.node.js";
