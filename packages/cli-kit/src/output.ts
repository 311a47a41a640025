import { SingleBar, Presets } from 'cli-progress';

/** Where a command reports: a progress bar on a terminal, plain lines otherwise, JSON for scripts. */
export class Output {
  private bar: SingleBar | null = null;
  private lastLine = 0;
  /** Where the current progress started (value and time), for the one ETA every command shows. */
  private started = { value: 0, at: 0 };

  constructor(readonly json: boolean) {}

  /** A human-readable line (stderr, so stdout stays clean for --json). */
  info(message: string): void {
    if (this.bar) this.bar.stop();
    this.bar = null;
    process.stderr.write(`${message}\n`);
  }

  /** Machine-readable output on stdout, one JSON value per line. */
  result(value: unknown): void {
    if (this.json) process.stdout.write(`${JSON.stringify(value)}\n`);
  }

  startProgress(label: string, total: number, start = 0): void {
    if (process.stderr.isTTY && !this.json) {
      this.bar = new SingleBar(
        { format: `${label} |{bar}| {value}/{total} | {percentage}% | ETA {eta} | {status}`, stream: process.stderr, hideCursor: true },
        Presets.shades_classic,
      );
      this.bar.start(total, start, { status: '', eta: '?' });
    }
    this.started = { value: start, at: performance.now() };
  }

  /** Seconds left at this pace: the average rate since the start of this progress. */
  private eta(value: number, total: number): number {
    const done = value - this.started.value;
    return done > 0 ? (((performance.now() - this.started.at) / 1000) * (total - value)) / done : Number.NaN;
  }

  progress(value: number, total: number, status: string): void {
    const eta = formatSeconds(this.eta(value, total));
    if (this.bar) this.bar.update(value, { status, eta });
    else if (!this.json && Date.now() - this.lastLine > 10_000) {
      this.lastLine = Date.now();
      process.stderr.write(`${value}/${total} ETA ${eta} ${status}\n`);
    }
  }

  stopProgress(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  // Round once, up front: rounding the seconds alone turns 119.6 s into "1m60s".
  const total = Math.max(0, Math.round(s));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(total % 60).padStart(2, '0')}s`;
}
