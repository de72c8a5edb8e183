// Reading and writing files (Node). Node's fs is imported when a function is first called, so
// importing nb.io stays safe in a browser; there these functions throw. Every save is atomic: the
// bytes go to a temporary file in the same directory, which is fsynced and then renamed over the
// target, so a failed or interrupted save leaves the previous file whole and no temporary behind.
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { MAX_HEADER_BYTES, fail } from "./binary.js";
import { decodeImage, encodePng, type DecodeImageOptions } from "./image.js";
import { decodeNpy, encodeNpy } from "./npy.js";
import {
  planChunks,
  planSafetensors,
  readSafetensorsHeader,
  tensorsFromData,
  type SafetensorsHeader,
} from "./safetensors.js";

type Fs = typeof import("node:fs/promises");
type Path = typeof import("node:path");

async function node(op: string): Promise<{ fs: Fs; path: Path }> {
  try {
    const [fs, path] = await Promise.all([import("node:fs/promises"), import("node:path")]);
    return { fs, path };
  } catch {
    throw new ValueError(op, "file access needs Node.js; in a browser, use the encode*/decode* functions on bytes");
  }
}

/**
 * Writes `chunks` to `file` atomically. Chunks are pulled one at a time, so a chunk that throws
 * (a tensor that cannot be read) aborts the save, and the temporary file is removed.
 */
export async function atomicWrite(file: string, chunks: Iterable<Uint8Array>, op = "atomicWrite"): Promise<void> {
  const { fs, path } = await node(op);
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(
    dir,
    `.${path.basename(file)}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`,
  );
  const handle = await fs.open(tmp, "wx");
  let renamed = false;
  try {
    try {
      for (const chunk of chunks) {
        let at = 0;
        while (at < chunk.length) at += (await handle.write(chunk, at, chunk.length - at)).bytesWritten;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
    renamed = true;
  } finally {
    if (!renamed) await fs.rm(tmp, { force: true });
  }
  // make the rename itself durable where the platform allows syncing a directory
  try {
    const d = await fs.open(dir, "r");
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // not supported here (e.g. Windows): the data itself is already synced
  }
}

/** Saves named tensors as a safetensors file, atomically. */
export async function saveSafetensors(
  file: string,
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  const plan = planSafetensors(tensors, metadata, "saveSafetensors");
  await atomicWrite(file, planChunks(plan), "saveSafetensors");
}

/** Reads just the header of a safetensors file (names, dtypes, shapes, metadata), validated. */
export async function loadSafetensorsHeader(file: string, op = "loadSafetensorsHeader"): Promise<SafetensorsHeader> {
  const { fs } = await node(op);
  const h = await fs.open(file, "r");
  try {
    const size = (await h.stat()).size;
    const prefix = new Uint8Array(Math.min(8, size));
    await h.read(prefix, 0, prefix.length, 0);
    const dv = new DataView(prefix.buffer);
    const n = size < 8 ? 0 : dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
    // a bad length is reported from the prefix alone, before anything is allocated for it
    if (size < 8 || n > MAX_HEADER_BYTES || 8 + n > size) readSafetensorsHeader(prefix, { file, fileSize: size, op });
    const head = new Uint8Array(8 + n);
    head.set(prefix);
    const { bytesRead } = await h.read(head, 8, n, 8);
    if (bytesRead !== n) throw fail({ op, file }, `the file shrank while it was read`);
    return readSafetensorsHeader(head, { file, fileSize: size, op });
  } finally {
    await h.close();
  }
}

/** Loads every tensor of a safetensors file. The header is validated before the data is read. */
export async function loadSafetensors(file: string): Promise<Record<string, Tensor>> {
  const op = "loadSafetensors";
  const header = await loadSafetensorsHeader(file, op);
  const { fs } = await node(op);
  const h = await fs.open(file, "r");
  try {
    const size = (await h.stat()).size;
    const data = new Uint8Array(size - header.dataStart);
    let at = 0;
    while (at < data.length) {
      const { bytesRead } = await h.read(data, at, data.length - at, header.dataStart + at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    if (at !== data.length) throw fail({ op, file }, `the data is truncated (${at} of ${data.length} bytes)`);
    return tensorsFromData(header, data, 0, { op, file });
  } finally {
    await h.close();
  }
}

async function readAll(file: string, op: string): Promise<Uint8Array> {
  const { fs } = await node(op);
  const buf = await fs.readFile(file);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Saves a tensor as a .npy file, atomically. */
export async function saveNpy(file: string, t: Tensor): Promise<void> {
  const bytes = encodeNpy(t);
  await atomicWrite(file, [bytes], "saveNpy");
}

/** Loads a .npy file as a tensor. */
export async function loadNpy(file: string): Promise<Tensor> {
  return decodeNpy(await readAll(file, "loadNpy"), { file, op: "loadNpy" });
}

/** Loads a PNG or JPEG file as an HWC tensor (see decodeImage). */
export async function loadImage(file: string, opts: DecodeImageOptions = {}): Promise<Tensor> {
  return decodeImage(await readAll(file, "loadImage"), { ...opts, file });
}

/** Saves an HWC or HW image tensor as a PNG file, atomically (see encodePng). */
export async function savePng(file: string, t: Tensor): Promise<void> {
  await atomicWrite(file, [await encodePng(t)], "savePng");
}
