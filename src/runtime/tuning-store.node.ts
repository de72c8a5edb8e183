// Node: autotuning choices persist in a JSON file, so a second process tunes nothing again.
// Written to a temporary file and renamed, so concurrent processes never see a partial file.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { TuningStore } from "./autotune.js";

/** The default cache folder: $NABLA_CACHE_DIR, else ~/.cache/nabla. */
export function cacheDir(): string {
  return process.env["NABLA_CACHE_DIR"] ?? join(homedir(), ".cache", "nabla");
}

export function fileTuningStore(path = join(cacheDir(), "tuning.json")): TuningStore {
  return {
    load() {
      try {
        const data: unknown = JSON.parse(readFileSync(path, "utf8"));
        return data && typeof data === "object" ? (data as Record<string, string>) : {};
      } catch {
        return {};
      }
    },
    save(choices) {
      try {
        mkdirSync(dirname(path), { recursive: true });
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(choices));
        renameSync(tmp, path);
      } catch {
        // a read-only cache folder only costs tuning again next time
      }
    },
  };
}
