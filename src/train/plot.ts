// Training curves as a self-contained SVG: one panel per series (e.g. loss and accuracy), x = epoch
// or step. Pure string building, so it works in browsers too.

export interface Series {
  name: string;
  /** [x, y] points. */
  points: readonly (readonly [number, number])[];
  color?: string;
}

export interface Panel {
  title: string;
  series: readonly Series[];
  /** Format of the y tick labels. */
  percent?: boolean;
}

const esc = (s: string): string =>
  s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c] ?? c);
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"];

function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step = 10 ** Math.floor(Math.log10((hi - lo) / n));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (hi - lo) / s <= n) ?? step * 10;
  const out: number[] = [];
  for (let v = Math.ceil(lo / nice) * nice; v <= hi + 1e-12; v += nice) out.push(Number(v.toFixed(10)));
  return out;
}

function panelSvg(p: Panel, x0: number, y0: number, w: number, h: number): string {
  const pts = p.series.flatMap((s) => s.points);
  const xs = pts.map((q) => q[0]);
  const ys = pts.map((q) => q[1]).filter(Number.isFinite);
  const [xmin, xmax] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [ymin, ymax] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (ymax - ymin < 1e-9) [ymin, ymax] = [ymin - 0.5, ymax + 0.5];
  const L = 56;
  const B = 34;
  const sx = (x: number): number => x0 + L + ((x - xmin) / (xmax - xmin || 1)) * (w - L - 12);
  const sy = (y: number): number => y0 + h - B - ((y - ymin) / (ymax - ymin)) * (h - B - 28);
  const parts = [
    `<text x="${x0 + w / 2}" y="${y0 + 18}" text-anchor="middle" font-size="14" font-weight="bold">${esc(p.title)}</text>`,
  ];
  for (const t of ticks(ymin, ymax)) {
    parts.push(`<line x1="${x0 + L}" x2="${x0 + w - 12}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`);
    parts.push(
      `<text x="${x0 + L - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="11">${p.percent ? `${(t * 100).toFixed(0)}%` : t}</text>`,
    );
  }
  for (const t of ticks(xmin, xmax))
    parts.push(`<text x="${sx(t)}" y="${y0 + h - B + 16}" text-anchor="middle" font-size="11">${t}</text>`);
  parts.push(
    `<rect x="${x0 + L}" y="${y0 + 28}" width="${w - L - 12}" height="${h - B - 28}" fill="none" stroke="#888"/>`,
  );
  p.series.forEach((s, i) => {
    const color = s.color ?? COLORS[i % COLORS.length];
    const d = s.points
      .filter((q) => Number.isFinite(q[1]))
      .map((q, k) => `${k ? "L" : "M"}${sx(q[0]).toFixed(1)},${sy(q[1]).toFixed(1)}`)
      .join(" ");
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    parts.push(
      `<text x="${x0 + w - 16}" y="${y0 + 44 + 14 * i}" text-anchor="end" font-size="11" fill="${color}">${esc(s.name)}</text>`,
    );
  });
  return parts.join("\n");
}

/** An SVG document with the panels side by side. */
export function plotSvg(
  panels: readonly Panel[],
  opts: { width?: number; height?: number; xLabel?: string } = {},
): string {
  const w = opts.width ?? 420;
  const h = opts.height ?? 300;
  const body = panels.map((p, i) => panelSvg(p, i * w, 0, w, h)).join("\n");
  const label = opts.xLabel
    ? `<text x="${(panels.length * w) / 2}" y="${h - 4}" text-anchor="middle" font-size="12">${esc(opts.xLabel)}</text>`
    : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${panels.length * w}" height="${h}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${body}\n${label}\n</svg>\n`;
}
