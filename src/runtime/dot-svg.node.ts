// Node: renders Graphviz DOT to SVG with the `dot` program, when it is installed.
import { spawnSync } from "node:child_process";

/** SVG text, or null when Graphviz is not available or fails. */
export function dotToSvg(dot: string): string | null {
  const r = spawnSync("dot", ["-Tsvg"], { input: dot, encoding: "utf8", timeout: 30_000 });
  return r.status === 0 && r.stdout.includes("<svg") ? r.stdout : null;
}
