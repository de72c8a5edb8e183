#!/usr/bin/env node
// Enforces the layering of src/. No dependencies; run as `node tools/check-layers.mjs [root]`.
//
// Folders under src/ form layers, lowest first (LAYERS below); src/index.ts and src/index.node.ts sit on top of all of them; src/cli (an application) sits above the index.
// A file may import (relative specifiers: `import ... from`, `import "..."`, `import("...")`,
// `export ... from`) only from its own layer or a lower one. On top of that:
//   - src/backends/** never imports from tensor, graph or autodiff;
//   - only src/io, src/distributed, src/backends/c, src/backends/cuda, src/cli and files named *.node.ts may
//     import Node builtins (`node:*`, or bare `fs`, `path`, ...), which keeps the rest browser-safe.
// Type-only imports count like any other. Layers that do not exist yet are simply absent.
// Prints one line per violation and exits 1, or prints `layers: N files ok`.
import { builtinModules } from "node:module";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const LAYERS = [
  "core",
  "ops",
  "graph",
  "autodiff",
  "kernel",
  "backends",
  "runtime",
  "tensor",
  "nn",
  "optim",
  "io",
  "data",
  "distributed",
  "train",
];
const TOP = "index"; // src/index.ts, above every layer
// applications built on the public API (the command line) sit above the index
const APPS = ["cli"];
const RANK = new Map([...LAYERS, TOP, ...APPS].map((name, i) => [name, i]));

const BACKEND_FORBIDDEN = new Set(["tensor", "graph", "autodiff"]);
const NODE_ALLOWED_DIRS = ["io", "distributed", "backends/c", "backends/cuda", "cli"];
const NODE_BUILTINS = new Set([
  ...builtinModules.filter((m) => !m.startsWith("_")),
  ...["fs", "path", "os", "child_process", "worker_threads", "url", "crypto"],
]);
const SOURCE_EXT = /\.(?:ts|mts|cts|tsx|js|mjs|cjs)$/;

const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), ".."));
const srcDir = path.join(root, "src");

/** Path relative to src/, with forward slashes. */
const srcRel = (abs) => path.relative(srcDir, abs).split(path.sep).join("/");

/** The layer of a path relative to src/, or undefined where it is in none. */
function layerOf(rel) {
  if (/^index(\.node)?(\.ts|\.js)?$/.test(rel)) return TOP;
  const slash = rel.indexOf("/");
  if (slash < 0) return RANK.has(rel) && rel !== TOP ? rel : undefined; // a directory import, `../core`
  const first = rel.slice(0, slash);
  return RANK.has(first) && first !== TOP ? first : undefined;
}

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(abs, out);
    else if (entry.isFile() && SOURCE_EXT.test(entry.name)) out.push(abs);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// A small tokenizer: enough of JS/TS lexing to skip comments, strings, template literals and regex
// literals, so that text inside them (generated code, docs) is never taken for an import.

const PUNCT_BEFORE_REGEX = new Set([..."([{,;:=!&|?+-*%<>~^"]);
const KEYWORDS_BEFORE_REGEX = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);
const isIdStart = (c) => /[A-Za-z_$\u0080-\uffff]/.test(c);
const isIdPart = (c) => /[\w$\u0080-\uffff]/.test(c);

/** Tokens {type: "id" | "str" | "tpl" | "punct" | "other", value}. */
function tokenize(text) {
  const tokens = [];
  const braces = []; // "{" for a plain brace, "${" for a template substitution
  const n = text.length;
  let i = 0;
  const push = (type, value) => tokens.push({ type, value });
  const regexAllowed = () => {
    const prev = tokens[tokens.length - 1];
    if (!prev) return true;
    if (prev.type === "punct") return PUNCT_BEFORE_REGEX.has(prev.value);
    if (prev.type === "id") return KEYWORDS_BEFORE_REGEX.has(prev.value);
    return false;
  };
  // Scans template text from i (just past "`" or the "}" closing a substitution).
  const template = () => {
    let raw = "";
    while (i < n) {
      const c = text[i];
      if (c === "\\") {
        raw += text.slice(i, i + 2);
        i += 2;
      } else if (c === "`") {
        i++;
        return { raw, done: true };
      } else if (c === "$" && text[i + 1] === "{") {
        i += 2;
        braces.push("${");
        return { raw, done: false };
      } else {
        raw += c;
        i++;
      }
    }
    return { raw, done: true };
  };

  while (i < n) {
    const c = text[i];
    const d = text[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "/" && d === "/") {
      while (i < n && text[i] !== "\n") i++;
    } else if (c === "/" && d === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '"' || c === "'") {
      let value = "";
      i++;
      while (i < n && text[i] !== c && text[i] !== "\n") {
        if (text[i] === "\\") {
          value += text[i + 1] ?? "";
          i += 2;
        } else value += text[i++];
      }
      i++;
      push("str", value);
    } else if (c === "`") {
      i++;
      const { raw, done } = template();
      push(done ? "tpl" : "other", raw);
    } else if (c === "}" && braces[braces.length - 1] === "${") {
      braces.pop();
      i++;
      template();
      push("other", "`");
    } else if (c === "/" && regexAllowed()) {
      // A regex literal ends on the same line; where none does, this was a division after all.
      let k = i + 1;
      let inClass = false;
      let closed = false;
      while (k < n && text[k] !== "\n") {
        const r = text[k];
        if (r === "\\") k++;
        else if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) {
          closed = true;
          break;
        }
        k++;
      }
      if (closed) {
        i = k + 1;
        while (i < n && isIdPart(text[i])) i++;
        push("other", "/regex/");
      } else {
        i++;
        push("punct", "/");
      }
    } else if (isIdStart(c)) {
      let k = i + 1;
      while (k < n && isIdPart(text[k])) k++;
      push("id", text.slice(i, k));
      i = k;
    } else if (/\d/.test(c)) {
      let k = i + 1;
      while (k < n && /[\w.]/.test(text[k])) k++;
      push("other", text.slice(i, k));
      i = k;
    } else {
      if (c === "{") braces.push("{");
      else if (c === "}") braces.pop();
      // "?." and "..." matter for telling `x.import` and `...` apart from keywords
      if (c === "?" && d === "." && !/\d/.test(text[i + 2] ?? "")) {
        push("punct", "?.");
        i += 2;
      } else if (c === "." && d === "." && text[i + 2] === ".") {
        push("punct", "...");
        i += 3;
      } else {
        push("punct", c);
        i++;
      }
    }
  }
  return tokens;
}

/** Module specifiers a file imports or re-exports. */
function importsOf(text) {
  const t = tokenize(text);
  const found = [];
  const isStr = (tok) => tok && (tok.type === "str" || tok.type === "tpl");
  // From t[k], a statement that ends in `from "x"`; gives up at ";" or a keyword that starts a new statement.
  const fromClause = (k) => {
    let depth = 0;
    for (; k < t.length; k++) {
      const tok = t[k];
      if (tok.type === "punct") {
        if (tok.value === "{") depth++;
        else if (tok.value === "}") depth--;
        else if (tok.value === ";" && depth === 0) return undefined;
      } else if (tok.type === "id" && depth === 0) {
        if (tok.value === "from" && isStr(t[k + 1])) return t[k + 1];
        if (tok.value === "import" || tok.value === "export") return undefined;
      }
      if (depth < 0) return undefined;
    }
    return undefined;
  };
  for (let k = 0; k < t.length; k++) {
    const tok = t[k];
    if (tok.type !== "id" || (tok.value !== "import" && tok.value !== "export")) continue;
    const prev = t[k - 1];
    if (prev && prev.type === "punct" && (prev.value === "." || prev.value === "?.")) continue; // x.import
    const next = t[k + 1];
    if (!next) break;
    if (tok.value === "import") {
      if (next.type === "punct" && next.value === "(") {
        if (isStr(t[k + 2])) found.push(t[k + 2].value); // import("x")
      } else if (next.type === "punct" && next.value === ".") {
        continue; // import.meta
      } else if (isStr(next)) {
        found.push(next.value); // import "x"
      } else {
        const spec = fromClause(k + 1);
        if (spec) found.push(spec.value);
      }
    } else {
      // export * from, export { } from, export type { } from, export * as ns from
      let j = k + 1;
      if (t[j]?.type === "id" && t[j].value === "type") j++;
      const head = t[j];
      if (head?.type === "punct" && (head.value === "*" || head.value === "{")) {
        const spec = fromClause(j);
        if (spec) found.push(spec.value);
      }
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------

function nodeAllowed(rel) {
  if (/\.node\.[cm]?[jt]s$/.test(rel)) return true;
  return NODE_ALLOWED_DIRS.some((dir) => rel.startsWith(dir + "/"));
}

function isNodeBuiltin(spec) {
  if (spec.startsWith("node:")) return true;
  return NODE_BUILTINS.has(spec.split("/")[0]);
}

function main() {
  let exists = false;
  try {
    exists = statSync(srcDir).isDirectory();
  } catch {
    exists = false;
  }
  if (!exists) {
    console.error(`layers: no src/ directory under ${root}`);
    process.exit(2);
  }

  const files = walk(srcDir, []).sort();
  const violations = [];
  for (const abs of files) {
    const rel = srcRel(abs);
    const shown = `src/${rel}`;
    const layer = layerOf(rel);
    if (!layer) {
      violations.push(`${shown}: is in no layer (known: ${LAYERS.join(", ")}; or src/index.ts)`);
      continue;
    }
    for (const spec of importsOf(readFileSync(abs, "utf8"))) {
      if (spec.startsWith("./") || spec.startsWith("../") || spec === "." || spec === "..") {
        const target = srcRel(path.resolve(path.dirname(abs), spec));
        if (target.startsWith("..")) continue; // outside src/, not a layer question
        const to = layerOf(target);
        if (!to) {
          violations.push(
            `${shown}: imports ${spec} (layer ${layer} may not import src/${target}, which is in no layer)`,
          );
        } else if (RANK.get(to) > RANK.get(layer)) {
          violations.push(`${shown}: imports ${spec} (layer ${layer} may not import layer ${to})`);
        } else if (layer === "backends" && BACKEND_FORBIDDEN.has(to)) {
          violations.push(`${shown}: imports ${spec} (layer backends may not import layer ${to})`);
        }
      } else if (isNodeBuiltin(spec) && !nodeAllowed(rel)) {
        violations.push(
          `${shown}: imports ${spec} (layer ${layer} may not import Node builtins; ` +
            `only ${NODE_ALLOWED_DIRS.map((d) => `src/${d}`).join(", ")} and *.node.ts may)`,
        );
      }
    }
  }

  if (violations.length > 0) {
    for (const v of violations) console.log(v);
    console.log(`layers: ${violations.length} violation${violations.length === 1 ? "" : "s"} in ${files.length} files`);
    process.exit(1);
  }
  console.log(`layers: ${files.length} files ok`);
}

main();
