// Convolution and pooling against direct float64 loops (fixed cases and fast-check properties over
// random configurations); gradients against finite differences; error messages.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import * as nb from "../src/index.js";
import { assertClose, gradCheck, randomArray, rng } from "./util.js";

const f64 = (data: ArrayLike<number>, shape: readonly number[]): nb.Tensor =>
  nb.tensor(Float64Array.from(data), { shape, dtype: "float64" });

interface ConvCfg {
  n: number;
  g: number;
  cg: number;
  og: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  s: [number, number];
  d: [number, number];
  /** top, bottom, left, right */
  p: [number, number, number, number];
}

/** Direct convolution: 7 nested loops (n, o, y, x, c, i, j), zero padding, groups. */
function convRef(cfg: ConvCfg, x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null) {
  const { n, g, cg, og, h, w: wd, kh, kw, s, d, p } = cfg;
  const [c, o] = [g * cg, g * og];
  const ho = Math.floor((h + p[0] + p[1] - d[0] * (kh - 1) - 1) / s[0]) + 1;
  const wo = Math.floor((wd + p[2] + p[3] - d[1] * (kw - 1) - 1) / s[1]) + 1;
  const out = new Float64Array(n * o * ho * wo);
  for (let ni = 0; ni < n; ni++)
    for (let oi = 0; oi < o; oi++)
      for (let y = 0; y < ho; y++)
        for (let xx = 0; xx < wo; xx++) {
          let acc = b ? (b[oi] as number) : 0;
          const grp = Math.floor(oi / og);
          for (let ci = 0; ci < cg; ci++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const yy = y * s[0] + i * d[0] - p[0];
                const xi = xx * s[1] + j * d[1] - p[2];
                if (yy < 0 || yy >= h || xi < 0 || xi >= wd) continue;
                const cin = grp * cg + ci;
                acc +=
                  (x[((ni * c + cin) * h + yy) * wd + xi] as number) *
                  (w[((oi * cg + ci) * kh + i) * kw + j] as number);
              }
          out[((ni * o + oi) * ho + y) * wo + xx] = acc;
        }
  return { data: out, shape: [n, o, ho, wo] };
}

/** Naive max / average pooling of [N·C, H, W] planes (average counts padding as zeros). */
function poolRef(
  kind: "max" | "avg",
  x: ArrayLike<number>,
  nc: number,
  h: number,
  w: number,
  k: number[],
  s: number[],
  p: number[],
) {
  const [kh, kw] = k as [number, number];
  const ho = Math.floor((h + 2 * (p[0] as number) - kh) / (s[0] as number)) + 1;
  const wo = Math.floor((w + 2 * (p[1] as number) - kw) / (s[1] as number)) + 1;
  const out: number[] = [];
  for (let q = 0; q < nc; q++)
    for (let y = 0; y < ho; y++)
      for (let xx = 0; xx < wo; xx++) {
        let acc = kind === "max" ? -Infinity : 0;
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const yy = y * (s[0] as number) + i - (p[0] as number);
            const xi = xx * (s[1] as number) + j - (p[1] as number);
            const v = yy < 0 || yy >= h || xi < 0 || xi >= w ? null : (x[(q * h + yy) * w + xi] as number);
            if (kind === "max") acc = v === null ? acc : Math.max(acc, v);
            else acc += v ?? 0;
          }
        out.push(kind === "max" ? acc : acc / (kh * kw));
      }
  return { data: out, shape: [ho, wo] };
}

// ---- convolution ----

function runConv(cfg: ConvCfg, seed: number, bias: boolean, tol = 1e-10): void {
  const r = rng(seed);
  const x = randomArray(cfg.n * cfg.g * cfg.cg * cfg.h * cfg.w, r);
  const w = randomArray(cfg.g * cfg.og * cfg.cg * cfg.kh * cfg.kw, r);
  const b = bias ? randomArray(cfg.g * cfg.og, r) : null;
  const ref = convRef(cfg, x, w, b);
  const sym = cfg.p[0] === cfg.p[1] && cfg.p[2] === cfg.p[3];
  const padding = sym ? [cfg.p[0], cfg.p[2]] : "same";
  const got = nb.conv2d(
    f64(x, [cfg.n, cfg.g * cfg.cg, cfg.h, cfg.w]),
    f64(w, [cfg.g * cfg.og, cfg.cg, cfg.kh, cfg.kw]),
    b && f64(b, [b.length]),
    { stride: cfg.s, dilation: cfg.d, groups: cfg.g, padding },
  );
  assert.deepEqual(got.shape, ref.shape);
  assertClose(got.dataSync(), ref.data, { rtol: tol, atol: tol });
}

test("conv2d matches a direct 7-loop convolution (stride, padding, dilation, groups, bias)", () => {
  const base: ConvCfg = { n: 2, g: 1, cg: 3, og: 2, h: 5, w: 6, kh: 3, kw: 2, s: [1, 1], d: [1, 1], p: [0, 0, 0, 0] };
  runConv(base, 1, true);
  runConv({ ...base, s: [2, 1], p: [1, 1, 2, 2] }, 2, false);
  runConv({ ...base, d: [2, 2], p: [1, 1, 0, 0] }, 3, true);
  runConv({ ...base, g: 2, cg: 2, og: 3, s: [2, 2], p: [1, 1, 1, 1] }, 4, true);
  // depthwise
  runConv({ ...base, g: 3, cg: 1, og: 1, kh: 3, kw: 3, p: [1, 1, 1, 1] }, 5, false);
});

test('conv2d padding "same" (asymmetric when the total is odd, any stride) and "valid"', () => {
  const base: ConvCfg = { n: 1, g: 1, cg: 2, og: 2, h: 5, w: 6, kh: 3, kw: 4, s: [1, 1], d: [1, 1], p: [1, 1, 1, 2] };
  runConv(base, 6, true);
  // stride 2: out ceil(5/2)=3, ceil(6/2)=3; totals (3-1)·2+3-5 = 2 and (3-1)·2+4-6 = 2
  runConv({ ...base, s: [2, 2], p: [1, 1, 1, 1] }, 7, false);
  const x = nb.ones([1, 1, 5, 6]);
  assert.deepEqual(nb.conv2d(x, nb.ones([1, 1, 3, 4]), null, { padding: "same" }).shape, [1, 1, 5, 6]);
  assert.deepEqual(nb.conv2d(x, nb.ones([1, 1, 3, 4]), null, { padding: "valid" }).shape, [1, 1, 3, 3]);
});

test("conv2d property: random configurations match the direct convolution", () => {
  const cfgArb = fc
    .record({
      n: fc.integer({ min: 1, max: 2 }),
      g: fc.integer({ min: 1, max: 2 }),
      cg: fc.integer({ min: 1, max: 2 }),
      og: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: 6 }),
      w: fc.integer({ min: 1, max: 6 }),
      kh: fc.integer({ min: 1, max: 3 }),
      kw: fc.integer({ min: 1, max: 3 }),
      s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
      ph: fc.integer({ min: 0, max: 2 }),
      pw: fc.integer({ min: 0, max: 2 }),
      seed: fc.integer({ min: 1, max: 1000 }),
    })
    .filter((c) => c.h + 2 * c.ph >= c.d[0] * (c.kh - 1) + 1 && c.w + 2 * c.pw >= c.d[1] * (c.kw - 1) + 1);
  fc.assert(
    fc.property(cfgArb, (c) => {
      nb.tidy(() => runConv({ ...c, p: [c.ph, c.ph, c.pw, c.pw] }, c.seed, c.seed % 2 === 0));
    }),
    { numRuns: 25, seed: 42 },
  );
});

test("conv1d matches the direct convolution with unit height", () => {
  const r = rng(8);
  const cfg: ConvCfg = { n: 2, g: 2, cg: 2, og: 1, h: 1, w: 9, kh: 1, kw: 3, s: [1, 2], d: [1, 2], p: [0, 0, 1, 1] };
  const x = randomArray(2 * 4 * 9, r);
  const w = randomArray(2 * 2 * 3, r);
  const b = randomArray(2, r);
  const ref = convRef(cfg, x, w, b);
  const got = nb.conv1d(f64(x, [2, 4, 9]), f64(w, [2, 2, 3]), f64(b, [2]), {
    stride: 2,
    dilation: 2,
    padding: 1,
    groups: 2,
  });
  assert.deepEqual(got.shape, [2, 2, ref.shape[3] as number]);
  assertClose(got.dataSync(), ref.data, { rtol: 1e-12 });
});

test("conv1d and conv2d gradients (stride, padding, dilation, groups, bias)", () => {
  const r = rng(9);
  gradCheck((x, w, b) => nb.conv2d(x, w, b, { stride: [2, 1], padding: 1, dilation: [1, 2], groups: 2 }), {
    inputs: [
      { data: randomArray(1 * 4 * 5 * 5, r), shape: [1, 4, 5, 5] },
      { data: randomArray(4 * 2 * 2 * 2, r), shape: [4, 2, 2, 2] },
      { data: randomArray(4, r), shape: [4] },
    ],
  });
  gradCheck((x, w) => nb.conv2d(x, w, null, { padding: "same" }), {
    inputs: [
      { data: randomArray(2 * 2 * 4 * 3, r), shape: [2, 2, 4, 3] },
      { data: randomArray(3 * 2 * 2 * 3, r), shape: [3, 2, 2, 3] },
    ],
  });
  gradCheck((x, w) => nb.conv1d(x, w, null, { stride: 2, padding: 2, dilation: 2 }), {
    inputs: [
      { data: randomArray(2 * 3 * 7, r), shape: [2, 3, 7] },
      { data: randomArray(2 * 3 * 3, r), shape: [2, 3, 3] },
    ],
  });
});

// ---- pooling ----

test("maxPool2d and avgPool2d match naive pooling (stride, padding; avg counts padding as zeros)", () => {
  const r = rng(10);
  const x = randomArray(2 * 3 * 5 * 6, r);
  const t = f64(x, [2, 3, 5, 6]);
  const cases: [number[], number[] | undefined, number[]][] = [
    [[2, 2], undefined, [0, 0]],
    [
      [3, 3],
      [2, 2],
      [1, 1],
    ],
    [
      [3, 2],
      [1, 2],
      [1, 0],
    ],
  ];
  for (const [k, s, p] of cases) {
    const opts = s ? { stride: s, padding: p } : { padding: p };
    for (const kind of ["max", "avg"] as const) {
      const ref = poolRef(kind, x, 6, 5, 6, k, s ?? k, p);
      const got = kind === "max" ? nb.maxPool2d(t, k, opts) : nb.avgPool2d(t, k, opts);
      assert.deepEqual(got.shape, [2, 3, ...ref.shape]);
      assertClose(got.dataSync(), ref.data, { rtol: 1e-12 }, `${kind}Pool k=${k} s=${s} p=${p}`);
    }
  }
  // [C, H, W] input, int32 max pooling keeps the dtype, avg gives float32
  const xi = nb.tensor(Int32Array.from([-1, -2, -3, -4, -5, -6, -7, -8, -9]), { shape: [1, 3, 3] });
  assert.deepEqual(Array.from(nb.maxPool2d(xi, 2, { stride: 1 }).dataSync()), [-1, -2, -4, -5]);
  assert.equal(nb.maxPool2d(xi, 3, { padding: 1 }).dtype, "int32");
  // padding never wins, even against negative values
  assert.deepEqual(Array.from(nb.maxPool2d(xi, 3, { padding: 1, stride: 2 }).dataSync()), [-1, -2, -4, -5]);
  assert.equal(nb.avgPool2d(xi, 3).dtype, "float32");
});

test("pooling gradients; tied maxima share the gradient evenly", () => {
  const r = rng(11);
  const x = { data: randomArray(2 * 2 * 5 * 5, r), shape: [2, 2, 5, 5] };
  gradCheck((a) => nb.maxPool2d(a, 3, { stride: 2, padding: 1 }), { inputs: [x] });
  gradCheck((a) => nb.maxPool2d(a, [2, 3]), { inputs: [x] });
  gradCheck((a) => nb.avgPool2d(a, 3, { stride: [1, 2], padding: 1 }), { inputs: [x] });
  const g = nb
    .grad((a: nb.Tensor) => nb.maxPool2d(a, 2).sum())(nb.ones([1, 1, 2, 2]))
    .dataSync();
  assertClose(g, [0.25, 0.25, 0.25, 0.25]);
});

test("conv and pooling errors name the op, the shapes and what was expected", () => {
  const x = nb.zeros([1, 4, 5, 5]);
  assert.throws(
    () => nb.conv2d(x, nb.zeros([8, 3, 3, 3])),
    /conv2d: expected input channels 3 \(weight \[8,3,3,3\], groups 1\), got x \[1,4,5,5\]/,
  );
  assert.throws(
    () => nb.conv2d(x, nb.zeros([3, 2, 3, 3]), null, { groups: 2 }),
    /conv2d: output channels 3 .*groups 2/,
  );
  assert.throws(
    () => nb.conv2d(nb.zeros([4, 5, 5]), nb.zeros([8, 4, 3, 3])),
    /conv2d: expected x of rank 4 \[N,C,H,W\], got \[4,5,5\]/,
  );
  assert.throws(
    () => nb.conv2d(x, nb.zeros([2, 4, 3, 3]), nb.zeros([3])),
    /conv2d: expected bias of shape \[2\].*got \[3\]/,
  );
  assert.throws(() => nb.conv2d(x, nb.zeros([2, 4, 7, 3])), /conv2d: kernel \[7,3\].*spans 7.*x \[1,4,5,5\]/);
  assert.throws(
    () => nb.conv2d(x, nb.zeros([2, 4, 3, 3]), null, { stride: 0 }),
    /conv2d: stride must be a positive integer/,
  );
  assert.throws(
    () => nb.conv1d(nb.zeros([1, 2, 5]), nb.zeros([1, 2, 3, 3])),
    /conv1d: expected weight of rank 3 \[O,C\/groups,K\]/,
  );
  assert.throws(
    () => nb.maxPool2d(x, 2, { padding: 2 }),
    /maxPool2d: padding \[2,2\] must be at most half of kernel \[2,2\]/,
  );
  assert.throws(() => nb.avgPool2d(x, 6), /avgPool2d: kernel \[6,6\].*x \[1,4,5,5\]/);
  assert.throws(() => nb.conv2d(x, nb.zeros([8, 3, 3, 3])), nb.ShapeError);
});
