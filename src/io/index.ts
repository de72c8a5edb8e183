// nb.io: tensor file formats (safetensors, NPY), images (PNG, JPEG) and character-level text.
// The encode*/decode* functions work on bytes anywhere; save*/load* read and write files in Node
// (node:fs and the image codecs are imported on first use, so importing this module is browser-safe).
export { FormatError } from "./errors.js";
export {
  encodeSafetensors,
  decodeSafetensors,
  readSafetensorsHeader,
  type SafetensorsEntry,
  type SafetensorsHeader,
  type DecodeOptions,
} from "./safetensors.js";
export { encodeNpy, decodeNpy, type NpyOptions } from "./npy.js";
export { decodeImage, encodePng, encodeJpeg, toNCHW, fromNCHW, type DecodeImageOptions } from "./image.js";
export { tokenize, detokenize, oneHotText, buildVocab } from "./text.js";
export {
  saveSafetensors,
  loadSafetensors,
  loadSafetensorsHeader,
  saveNpy,
  loadNpy,
  loadImage,
  savePng,
  atomicWrite,
} from "./files.js";
