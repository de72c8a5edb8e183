// nb.io: safetensors and NPY (bit-exact round trips, files written by NumPy / by hand in Python,
// atomic saves, hostile inputs), PNG/JPEG images and character-level text.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as nb from "../src/index.js";
import * as io from "../src/io/index.js";

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "io");
const dir = mkdtempSync(path.join(tmpdir(), "nabla-io-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const tmp = (name: string): string => path.join(dir, name);
const bytesOf = (t: nb.Tensor): Uint8Array => {
  const d = t.dataSync();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
};
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(FIX, name)));

/** Tensors of every dtype with the awkward values: NaN (two payloads), -0, ±Inf, denormals, extremes. */
function samples(): Record<string, nb.Tensor> {
  const f32 = new Float32Array([NaN, -0, Infinity, -Infinity, 1e-45, 3.4e38, 1.5, 0]);
  new Uint32Array(f32.buffer)[7] = 0x7fc00001; // a NaN with a payload
  const f64 = new Float64Array([NaN, -0, Infinity, -Infinity, 5e-324, 1.7e308, -1 / 3, 0]);
  new Uint32Array(f64.buffer)[14] = 0xdeadbeef; // payload bits in the low word of element 7
  new Uint32Array(f64.buffer)[15] = 0x7ff80000;
  return {
    f32: nb.tensor(f32, { shape: [2, 4] }),
    f64: nb.tensor(f64, { shape: [2, 2, 2], dtype: "float64" }),
    i32: nb.tensor(new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0, -1]), { dtype: "int32" }),
    bool: nb.tensor([true, false, true]),
    scalar: nb.tensor(2.5),
    scalarInt: nb.tensor(7, { dtype: "int32" }),
    empty: nb.zeros([0, 3]),
    empty2: nb.zeros([3, 0, 2], { dtype: "int32" }),
  };
}

function assertSame(got: nb.Tensor, want: nb.Tensor, what: string): void {
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assert.deepEqual(bytesOf(got), bytesOf(want), `${what}: bytes`);
}

describe("safetensors", () => {
  test("encode → decode and save → load are bit-exact for every dtype, 0-d and size-0", async () => {
    const ts = samples();
    const back = io.decodeSafetensors(io.encodeSafetensors(ts, { k: "v" }));
    assert.deepEqual(Object.keys(back), Object.keys(ts));
    for (const [k, t] of Object.entries(ts)) assertSame(back[k] as nb.Tensor, t, k);
    assert.equal(new Uint32Array(bytesOf(back["f32"] as nb.Tensor).slice().buffer)[7], 0x7fc00001, "NaN payload");
    await io.saveSafetensors(tmp("all.safetensors"), ts, { epoch: "3" });
    const loaded = await io.loadSafetensors(tmp("all.safetensors"));
    for (const [k, t] of Object.entries(ts)) assertSame(loaded[k] as nb.Tensor, t, k);
    const header = await io.loadSafetensorsHeader(tmp("all.safetensors"));
    assert.deepEqual(header.metadata, { epoch: "3" });
    assert.equal(header.dataStart % 8, 0, "the header is padded to a multiple of 8");
    assert.deepEqual(header.tensors["f64"], { dtype: "F64", shape: [2, 2, 2], dataOffsets: [32, 96] });
  });

  test("reads a file written byte by byte in Python (every dtype, metadata)", () => {
    const t = io.decodeSafetensors(fixture("hand.safetensors"));
    const v = (k: string): number[] => Array.from((t[k] as nb.Tensor).dataSync());
    assert.deepEqual(v("weight"), [1, -2, 0.5, Infinity]);
    assert.deepEqual((t["weight"] as nb.Tensor).shape, [2, 2]);
    assert.deepEqual(v("bias"), [0.1, -0, 1e308]);
    assert.ok(Object.is(v("bias")[1], -0));
    assert.deepEqual([t["step"]?.shape, v("step")], [[], [-7]]);
    assert.deepEqual([t["mask"]?.dtype, v("mask")], ["bool", [1, 0]]);
    assert.deepEqual([t["count"]?.dtype, v("count")], ["int32", [5, -(2 ** 31)]]);
    assert.deepEqual([t["half"]?.dtype, v("half")], ["float32", [1.5, -0.25]]);
    assert.deepEqual(v("brain"), [1.5, -8]);
    assert.deepEqual([t["pixels"]?.dtype, v("pixels")], ["int32", [0, 128, 255]]);
    assert.deepEqual(t["nothing"]?.shape, [0, 4]);
    const h = io.readSafetensorsHeader(fixture("hand.safetensors"));
    assert.equal(h.metadata["format"], "pt");
  });

  test("what nabla writes, NumPy reads (skipped without python3 + numpy)", async (t) => {
    const file = tmp("for-numpy.safetensors");
    await io.saveSafetensors(file, { a: nb.tensor([[1, -0, 2.5]]), b: nb.tensor([3, 4], { dtype: "int32" }) });
    await io.saveNpy(
      tmp("for-numpy.npy"),
      nb.tensor(
        [
          [1, 2],
          [3, NaN],
        ],
        { dtype: "float64" },
      ),
    );
    const py = `
import json, struct, sys, numpy as np
b = open(sys.argv[1], "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n])
dt = {"F32": "<f4", "I32": "<i4"}
out = {k: np.frombuffer(b[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]], dt[v["dtype"]]).reshape(v["shape"]).tolist() for k, v in h.items()}
x = np.load(sys.argv[2]); out["npy"] = [str(x.dtype), list(x.shape), repr(x.tolist())]
print(json.dumps(out))`;
    const r = spawnSync("python3", ["-c", py, file, tmp("for-numpy.npy")], { encoding: "utf8" });
    if (r.status !== 0) return t.skip(`python3 with numpy is not available: ${r.error?.message ?? r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout), {
      a: [[1, -0, 2.5]],
      b: [3, 4],
      npy: ["float64", [2, 2], "[[1.0, 2.0], [3.0, nan]]"],
    });
  });

  test("a failed save leaves the previous file whole and no temporary file", async () => {
    const file = tmp("model.safetensors");
    await io.saveSafetensors(file, { w: nb.tensor([1, 2, 3]) });
    const before = readFileSync(file);
    const gone = nb.tensor([4, 5, 6]);
    gone.dispose(); // reading its data throws, after the header and the first tensor are written
    await assert.rejects(io.saveSafetensors(file, { w: nb.tensor([9, 9, 9]), gone }), /disposed/);
    assert.deepEqual(readFileSync(file), before);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes("model.safetensors")),
      ["model.safetensors"],
    );
    await assert.rejects(io.saveSafetensors(tmp("no/such/dir/x.safetensors"), { w: nb.tensor([1]) }), /ENOENT/);
    await assert.rejects(io.saveNpy(tmp("no/such/dir/x.npy"), nb.tensor([1])), /ENOENT/);
    await assert.rejects(io.saveSafetensors(file, { __metadata__: nb.tensor([1]) }), /reserved/);
    assert.deepEqual(readFileSync(file), before);
  });

  /** A safetensors file from a header object (or raw header text) and data bytes. */
  function st(header: unknown, data = new Uint8Array(0), rawLength?: number): Uint8Array {
    const text =
      header instanceof Uint8Array
        ? header
        : new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
    const out = new Uint8Array(8 + text.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(rawLength ?? text.length), true);
    out.set(text, 8);
    out.set(data, 8 + text.length);
    return out;
  }
  const e = (dtype: string, shape: unknown, offs: unknown): unknown => ({ dtype, shape, data_offsets: offs });
  const hostile: [string, Uint8Array, RegExp][] = [
    ["shorter than 8 bytes", new Uint8Array(5), /5 bytes long, too short/],
    ["header length past the end", st({}, new Uint8Array(0), 1000), /header length 1000 runs past the end/],
    ["header length over 100 MB", st({}, new Uint8Array(0), 2 ** 40), /exceeds the limit/],
    ["invalid JSON", st("{not json"), /not valid JSON/],
    ["invalid UTF-8", st(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), /not valid UTF-8/],
    ["a JSON array", st("[1,2]"), /must be a JSON object/],
    ["an entry that is not an object", st({ a: 3 }), /expected an object/],
    ["unknown dtype", st({ a: e("Q7", [1], [0, 1]) }, new Uint8Array(1)), /unknown dtype "Q7"/],
    ["negative shape", st({ a: e("F32", [-1], [0, 4]) }, new Uint8Array(4)), /non-negative integers/],
    ["fractional shape", st({ a: e("F32", [1.5], [0, 4]) }, new Uint8Array(4)), /non-negative integers/],
    ["string shape", st({ a: e("F32", "12", [0, 4]) }, new Uint8Array(4)), /shape must be a list/],
    ["overflowing shape", st({ a: e("F32", [2 ** 40, 2 ** 40], [0, 4]) }, new Uint8Array(4)), /overflows/],
    ["shape bigger than the data", st({ a: e("F32", [1e6], [0, 4]) }, new Uint8Array(4)), /needs 4000000 bytes/],
    ["offsets out of range", st({ a: e("F32", [2], [0, 8]) }, new Uint8Array(4)), /run past the data section/],
    ["offsets not numbers", st({ a: e("F32", [1], ["0", 4]) }, new Uint8Array(4)), /two non-negative integers/],
    ["reversed offsets", st({ a: e("F32", [0], [4, 0]) }, new Uint8Array(4)), /reversed/],
    ["offsets not matching the size", st({ a: e("F32", [3], [0, 8]) }, new Uint8Array(8)), /needs 12 bytes/],
    [
      "overlapping tensors",
      st({ a: e("F32", [2], [0, 8]), b: e("F32", [2], [4, 12]) }, new Uint8Array(12)),
      /"a" and "b" overlap/,
    ],
    ["a gap", st({ a: e("F32", [1], [4, 8]) }, new Uint8Array(8)), /gap of 4 bytes/],
    ["truncated data / extra bytes", st({ a: e("F32", [1], [0, 4]) }, new Uint8Array(6)), /cover 4 bytes .* has 6/],
    ["metadata not strings", st({ __metadata__: { a: 1 } }), /__metadata__.a must be a string/],
    [
      "int64 too large for int32",
      st({ a: e("I64", [1], [0, 8]) }, new Uint8Array(8).fill(0x7f)),
      /does not fit in int32/,
    ],
  ];
  for (const [what, bytes, re] of hostile) {
    test(`rejects a hostile file: ${what}`, async () => {
      assert.throws(
        () => io.decodeSafetensors(bytes),
        (err: Error) => err instanceof io.FormatError && re.test(err.message),
      );
      const file = tmp(`hostile-${what.replace(/\W+/g, "-")}.safetensors`);
      writeFileSync(file, bytes);
      await assert.rejects(io.loadSafetensors(file), (err: Error) => {
        assert.ok(err instanceof io.FormatError && err instanceof nb.NablaError, `${err.name}: ${err.message}`);
        assert.match(err.message, re);
        assert.ok(err.message.startsWith(`loadSafetensors: ${file}: `), err.message);
        return true;
      });
    });
  }
});

describe("npy", () => {
  test("encode → decode and save → load are bit-exact for every dtype, 0-d and size-0", async () => {
    for (const [k, t] of Object.entries(samples())) {
      const bytes = io.encodeNpy(t);
      assert.equal((10 + new DataView(bytes.buffer).getUint16(8, true)) % 64, 0, "header aligned to 64");
      assertSame(io.decodeNpy(bytes), t, k);
      await io.saveNpy(tmp(`${k}.npy`), t);
      assertSame(await io.loadNpy(tmp(`${k}.npy`)), t, `${k} (file)`);
    }
  });

  test("reads files written by NumPy, converting exactly where needed", async () => {
    const v = (t: nb.Tensor): number[] => Array.from(t.dataSync());
    const f4 = io.decodeNpy(fixture("f4.npy"));
    assert.deepEqual(
      [f4.dtype, f4.shape, v(f4)],
      ["float32", [2, 4], [1.5, -0, NaN, Infinity, -Infinity, 2, 3.25, -7]],
    );
    assert.ok(Object.is(v(f4)[1], -0));
    const f8 = io.decodeNpy(fixture("f8_v2.npy"));
    assert.deepEqual([f8.dtype, v(f8)[0]], ["float64", 1.5e300]);
    const read = async (n: string): Promise<nb.Tensor> => io.loadNpy(path.join(FIX, n));
    assert.deepEqual(v(await read("i8.npy")), [-3, 0, 2 ** 31 - 1, -(2 ** 31)]);
    assert.deepEqual([(await read("u1.npy")).dtype, v(await read("u1.npy"))], ["int32", [0, 1, 200, 255]]);
    assert.deepEqual(v(await read("i2.npy")), [-32768, 7, 32767]);
    const b1 = await read("b1.npy");
    assert.deepEqual([b1.dtype, b1.shape, v(b1)], ["bool", [1, 3], [1, 0, 1]]);
    const f2 = await read("f2.npy");
    assert.deepEqual([f2.dtype, v(f2).slice(0, 4)], ["float32", [1, -2.5, 65504, Infinity]]);
    assert.equal(v(f2)[4], 2 ** -24); // 6e-8 is the smallest float16 denormal
    assert.deepEqual(v(await read("be_f4.npy")), [1, -2, 0.5]);
    const s = await read("scalar.npy");
    assert.deepEqual([s.dtype, s.shape, s.item()], ["int32", [], 42]);
    assert.deepEqual((await read("empty.npy")).shape, [0, 3]);
  });

  const npy = (header: string, data = new Uint8Array(0), version = 1): Uint8Array => {
    const pre = version === 1 ? 10 : 12;
    const out = new Uint8Array(pre + header.length + data.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
    if (version === 1) new DataView(out.buffer).setUint16(8, header.length, true);
    else new DataView(out.buffer).setUint32(8, header.length, true);
    for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
    out.set(data, pre + header.length);
    return out;
  };
  const h = (descr: string, shape: string, fortran = "False"): string =>
    `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;
  const hostile: [string, Uint8Array, RegExp][] = [
    ["bad magic", new TextEncoder().encode("PK\x03\x04 not npy at all"), /not an NPY file/],
    ["unknown version", npy(h("<f4", "(1,)"), new Uint8Array(4), 9), /unsupported NPY version 9/],
    ["header length past the end", npy(h("<f4", "(1,)")).subarray(0, 30), /runs past the end/],
    [
      "header length over 100 MB (v2)",
      (() => {
        const b = npy("{}", new Uint8Array(0), 2);
        new DataView(b.buffer).setUint32(8, 2 ** 31, true);
        return b;
      })(),
      /exceeds the limit/,
    ],
    ["not a Python literal", npy("{'descr': <f4}\n"), /not a valid Python literal/],
    ["missing key", npy("{'descr': '<f4', 'shape': (1,)}\n", new Uint8Array(4)), /no 'fortran_order' key/],
    ["fortran order", fixture("fortran.npy"), /fortran_order True is not supported/],
    ["complex dtype", fixture("complex.npy"), /unsupported dtype "<c8"/],
    ["object dtype", npy(h("|O", "(1,)"), new Uint8Array(8)), /unsupported dtype "\|O"/],
    [
      "structured dtype",
      npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }\n"),
      /structured dtypes/,
    ],
    ["negative shape", npy(h("<f4", "(-1,)")), /non-negative integers/],
    ["overflowing shape", npy(h("<f4", "(1099511627776, 1099511627776)")), /overflows/],
    ["truncated data", npy(h("<f4", "(3,)"), new Uint8Array(8)), /truncated: shape \[3\] needs 12 bytes, 8 remain/],
    ["int64 too large", fixture("i8_big.npy"), /element 1 \(1099511627776\) does not fit in int32/],
    ["too deeply nested", npy("(".repeat(100) + ")".repeat(100) + "\n"), /nesting too deep/],
  ];
  for (const [what, bytes, re] of hostile) {
    test(`rejects a hostile file: ${what}`, async () => {
      assert.throws(
        () => io.decodeNpy(bytes),
        (err: Error) => err instanceof io.FormatError && re.test(err.message),
      );
      const file = tmp(`hostile-${what.replace(/\W+/g, "-")}.npy`);
      writeFileSync(file, bytes);
      await assert.rejects(
        io.loadNpy(file),
        (err: Error) => err instanceof io.FormatError && err.message.includes(file),
      );
    });
  }
});

describe("images", () => {
  const r = (seed: number): (() => number) => {
    let s = seed;
    return () => (s = (s * 1103515245 + 12345) % 2 ** 31) % 256;
  };
  test("PNG round trip is exact for 8-bit images with 1, 2, 3, 4 channels and HW", async () => {
    for (const shape of [
      [5, 7, 1],
      [5, 7, 2],
      [4, 3, 3],
      [2, 6, 4],
      [3, 4],
    ]) {
      const g = r(shape.length * 10 + (shape[2] ?? 0));
      const vals = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, g);
      const t = nb.tensor(vals, { shape, dtype: "int32" });
      const back = await io.decodeImage(await io.encodePng(t));
      assert.deepEqual(back.shape, shape.length === 2 ? [...shape, 1] : shape);
      assert.deepEqual(Array.from(back.dataSync()), vals, `shape ${shape.join("x")}`);
    }
    await io.savePng(tmp("img.png"), nb.tensor([[[0.0, 0.5, 1.0]]]));
    const f = await io.loadImage(tmp("img.png"), { dtype: "float32" });
    assert.deepEqual([f.dtype, Array.from(f.dataSync())], ["float32", [0, 128 / 255, 1].map(Math.fround)]);
  });

  test("floats are scaled, everything is clamped, channels convert", async () => {
    const px = async (t: nb.Tensor): Promise<number[]> =>
      Array.from((await io.decodeImage(await io.encodePng(t))).dataSync());
    assert.deepEqual(await px(nb.tensor([[-5, 300, 128]], { dtype: "int32" })), [0, 255, 128]);
    assert.deepEqual(await px(nb.tensor([[-0.5, 2, NaN, 0.2]])), [0, 255, 0, 51]);
    const rgb = await io.encodePng(
      nb.tensor(
        [
          [
            [255, 0, 0],
            [10, 20, 30],
          ],
        ],
        { dtype: "int32" },
      ),
    );
    const gray = await io.decodeImage(rgb, { channels: 1 });
    assert.deepEqual(
      [gray.shape, Array.from(gray.dataSync())],
      [
        [1, 2, 1],
        [76, 18],
      ],
    );
    const rgba = await io.decodeImage(rgb, { channels: 4 });
    assert.deepEqual(Array.from(rgba.dataSync()), [255, 0, 0, 255, 10, 20, 30, 255]);
  });

  test("JPEG decodes approximately to what was encoded", async () => {
    const [h, w] = [16, 24];
    const vals = Array.from({ length: h * w * 3 }, (_, i) => ((i / 3) % w) * 8 + (i % 3) * 20);
    const t = nb.tensor(vals, { shape: [h, w, 3], dtype: "int32" });
    const back = await io.decodeImage(await io.encodeJpeg(t, 95));
    assert.deepEqual([back.shape, back.dtype], [[h, w, 3], "int32"]);
    const got = back.dataSync();
    const meanErr = vals.reduce((s, v, i) => s + Math.abs(v - (got[i] as number)), 0) / vals.length;
    assert.ok(meanErr < 3, `mean abs error ${meanErr}`);
  });

  test("corrupt and oversized images are rejected with FormatError", async () => {
    const png = await io.encodePng(nb.zeros([2, 2], { dtype: "int32" }));
    const huge = png.slice();
    new DataView(huge.buffer).setUint32(16, 100000);
    new DataView(huge.buffer).setUint32(20, 100000);
    await assert.rejects(io.decodeImage(huge), /100000x100000, more than maxPixels/);
    await assert.rejects(io.decodeImage(png.subarray(0, 20)), /IHDR chunk is missing/);
    const broken = png.slice();
    broken.fill(7, 40);
    await assert.rejects(
      io.decodeImage(broken),
      (e: Error) => e instanceof io.FormatError && /corrupt PNG/.test(e.message),
    );
    await assert.rejects(io.decodeImage(new Uint8Array([0xff, 0xd8, 0xff, 0, 1, 2])), /corrupt or unsupported JPEG/);
    await assert.rejects(
      io.decodeImage(new TextEncoder().encode("GIF89a")),
      /not a PNG or JPEG image \(it starts with 47 49/,
    );
    await assert.rejects(io.encodePng(nb.zeros([2, 2, 5])), /C = 1, 2, 3 or 4/);
  });

  test("toNCHW and fromNCHW move the channel axis", () => {
    const x = nb.arange(0, 2 * 3 * 4 * 5).reshape([2, 3, 4, 5]); // N H W C
    const y = io.toNCHW(x);
    assert.deepEqual(y.shape, [2, 5, 3, 4]);
    assert.equal(y.at(1, 4, 2, 3).item(), x.at(1, 2, 3, 4).item());
    assert.deepEqual(Array.from(io.fromNCHW(y).dataSync()), Array.from(x.dataSync()));
    assert.deepEqual(io.toNCHW(nb.zeros([4, 5, 3])).shape, [3, 4, 5]);
  });
});

describe("text", () => {
  test("character-level tokenize: a sorted vocabulary, ids, and the way back", () => {
    const { ids, vocab } = io.tokenize("hello, world 👋");
    assert.deepEqual(vocab, [" ", ",", "d", "e", "h", "l", "o", "r", "w", "👋"]);
    assert.deepEqual([ids.dtype, ids.shape], ["int32", [14]]);
    assert.equal(io.detokenize(ids, vocab), "hello, world 👋");
    assert.deepEqual(io.tokenize("olleh", vocab).vocab, vocab);
    assert.throws(() => io.tokenize("hey", vocab), /"y" \(U\+0079\) at position 2 is not in the vocabulary/);
    assert.deepEqual(Array.from(io.tokenize("hey", vocab, { unknown: 0 }).ids.dataSync()), [4, 3, 0]);
    const oh = io.oneHotText("hello", vocab);
    assert.deepEqual([oh.dtype, oh.shape], ["float32", [5, 10]]);
    assert.deepEqual(Array.from(oh.argmax(1).dataSync()), [4, 3, 5, 5, 6]);
    assert.deepEqual(Array.from(oh.sum(1).dataSync()), [1, 1, 1, 1, 1]);
  });
});
