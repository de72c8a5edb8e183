// A progress bar a person can watch: bar, counts, metrics, samples per second and ETA, redrawn in
// place on a terminal and printed line by line elsewhere (CI logs).

export interface ProgressOptions {
  /** Total steps (e.g. batches in an epoch). */
  total: number;
  /** Text before the bar, e.g. "epoch 1/3". */
  label?: string;
  width?: number;
  /** Where to write (default: stdout in Node, console.log elsewhere). */
  write?: (s: string) => void;
  /** Redraw in place with "\r" (default: when writing to a TTY). */
  inPlace?: boolean;
  /** Minimum milliseconds between redraws. */
  interval?: number;
}

export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "--:--";
  const m = Math.floor(s / 60);
  const sec = Math.floor(s % 60);
  return m >= 60
    ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}:${String(sec).padStart(2, "0")}`
    : `${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}`;
}

/** One line of progress: `label [=====>    ] 12/40 loss 0.3012 acc 91.2% 512 samples/s ETA 00:14`. */
export function progressLine(o: {
  label: string;
  done: number;
  total: number;
  width: number;
  metrics: Record<string, number>;
  samplesPerSec: number;
  eta: number;
}): string {
  const frac = o.total > 0 ? Math.min(1, o.done / o.total) : 1;
  const filled = Math.round(frac * o.width);
  const bar =
    filled >= o.width
      ? "=".repeat(o.width)
      : `${"=".repeat(Math.max(0, filled - 1))}>${" ".repeat(o.width - Math.max(1, filled))}`;
  const metrics = Object.entries(o.metrics)
    .map(([k, v]) => (k.startsWith("acc") ? `${k} ${(100 * v).toFixed(1)}%` : `${k} ${v.toFixed(4)}`))
    .join(" ");
  const parts = [o.label, `[${bar}]`, `${o.done}/${o.total}`, metrics, `${Math.round(o.samplesPerSec)} samples/s`];
  return [...parts, `ETA ${formatDuration(o.eta)}`].filter((p) => p).join(" ");
}

export class Progress {
  private readonly start = performance.now();
  private last = 0;
  private samples = 0;
  private done = 0;
  private readonly opts: Required<Omit<ProgressOptions, "write">> & { write: (s: string) => void };

  constructor(opts: ProgressOptions) {
    const proc = (globalThis as { process?: { stdout?: { isTTY?: boolean; write(s: string): void } } }).process;
    const tty = proc?.stdout?.isTTY === true;
    this.opts = {
      total: opts.total,
      label: opts.label ?? "",
      width: opts.width ?? 24,
      write: opts.write ?? (proc?.stdout ? (s) => proc.stdout?.write(s) : (s) => console.log(s.trimEnd())),
      inPlace: opts.inPlace ?? tty,
      interval: opts.interval ?? (tty ? 100 : 5000),
    };
  }

  /** Records `n` more steps covering `samples` samples, with the latest metrics. */
  update(n: number, samples: number, metrics: Record<string, number>): void {
    this.done += n;
    this.samples += samples;
    const now = performance.now();
    const final = this.done >= this.opts.total;
    if (!final && now - this.last < this.opts.interval) return;
    this.last = now;
    const secs = (now - this.start) / 1000;
    const rate = secs > 0 ? this.samples / secs : 0;
    const eta = this.done > 0 ? (secs / this.done) * (this.opts.total - this.done) : Infinity;
    const line = progressLine({
      label: this.opts.label,
      done: this.done,
      total: this.opts.total,
      width: this.opts.width,
      metrics,
      samplesPerSec: rate,
      eta,
    });
    this.opts.write(this.opts.inPlace ? `\r${line}\x1b[K${final ? "\n" : ""}` : `${line}\n`);
  }
}
