// Character-level text: a stable vocabulary (the distinct characters sorted by code point), ids,
// one-hot encodings and the way back. Characters are Unicode code points, so an emoji is one token.
import { ValueError } from "../core/errors.js";
import { fromArray } from "../tensor/convert.js";
import { isTensor, type Tensor } from "../tensor/tensor.js";

/** The distinct characters of `text`, sorted by code point (the same text always gives the same vocabulary). */
export function buildVocab(text: string): string[] {
  return [...new Set(text)].sort((a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number));
}

/**
 * Splits `text` into characters and maps each to its index in `vocab` (built from the text when not
 * given). Returns the int32 ids, shape [T], and the vocabulary. A character missing from a given
 * vocabulary is an error, or maps to `unknown` when that index is given.
 */
export function tokenize(
  text: string,
  vocab?: readonly string[],
  opts: { unknown?: number } = {},
): { ids: Tensor; vocab: string[] } {
  if (typeof text !== "string") throw new ValueError("tokenize", `expected a string, got ${typeof text}`);
  const v = vocab ? [...vocab] : buildVocab(text);
  const index = new Map<string, number>();
  v.forEach((ch, i) => {
    if ([...ch].length !== 1)
      throw new ValueError("tokenize", `vocabulary entry ${i} (${JSON.stringify(ch)}) is not a single character`);
    if (!index.has(ch)) index.set(ch, i);
  });
  const unk = opts.unknown;
  if (unk !== undefined && !(Number.isInteger(unk) && unk >= 0 && unk < v.length))
    throw new ValueError("tokenize", `unknown must be an index into the vocabulary (0..${v.length - 1}), got ${unk}`);
  const ids = new Int32Array(text.length);
  let n = 0;
  for (const ch of text) {
    const id = index.get(ch) ?? unk;
    if (id === undefined)
      throw new ValueError(
        "tokenize",
        `character ${JSON.stringify(ch)} (U+${(ch.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0")}) at position ${n} is not in the vocabulary`,
      );
    ids[n++] = id;
  }
  return { ids: fromArray(ids.slice(0, n), [n], "int32"), vocab: v };
}

/** The text that `ids` (a tensor or array of integers) stand for in `vocab`. */
export function detokenize(ids: Tensor | ArrayLike<number>, vocab: readonly string[]): string {
  const data = isTensor(ids) ? ids.dataSync() : ids;
  let out = "";
  for (let i = 0; i < data.length; i++) {
    const id = Number(data[i]);
    const ch = vocab[id];
    if (ch === undefined || !Number.isInteger(id))
      throw new ValueError("detokenize", `id ${id} at position ${i} is outside the vocabulary of ${vocab.length}`);
    out += ch;
  }
  return out;
}

/**
 * One-hot encoding of text (or of ids already made by tokenize): float32 [T, V] with V =
 * vocab.length, a 1 at each character's id.
 */
export function oneHotText(text: string | Tensor, vocab: readonly string[]): Tensor {
  const ids = typeof text === "string" ? tokenize(text, vocab).ids : text;
  if (!isTensor(ids) || ids.dtype !== "int32" || ids.ndim !== 1)
    throw new ValueError("oneHotText", "expected a string or a 1-d int32 tensor of ids");
  const data = ids.dataSync();
  const v = vocab.length;
  const out = new Float32Array(data.length * v);
  for (let i = 0; i < data.length; i++) {
    const id = data[i] as number;
    if (id < 0 || id >= v)
      throw new ValueError("oneHotText", `id ${id} at position ${i} is outside the vocabulary of ${v}`);
    out[i * v + id] = 1;
  }
  return fromArray(out, [data.length, v], "float32");
}
