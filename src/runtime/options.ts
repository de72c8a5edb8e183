// Process-wide compiler options: the default optimization level.
import type { OptLevel } from "../graph/pipeline.js";
import { ValueError } from "../core/errors.js";

let level: OptLevel = 2;

/** Sets the default optimization level (0–3; 2 is the default). */
export function setOptLevel(n: number): void {
  if (![0, 1, 2, 3].includes(n)) throw new ValueError("setOptLevel", `expected 0, 1, 2 or 3, got ${n}`);
  level = n as OptLevel;
}

export function getOptLevel(): OptLevel {
  return level;
}
