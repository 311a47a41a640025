import { SingleBar, Presets } from 'cli-progress';

/** Where a command reports: a progress bar on a terminal, plain lines otherwise, JSON for scripts. */
export class Output {
  private bar: SingleBar | null = null;
  private lastLine = 0;

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
        { format: `${label} |{bar}| {value}/{total} | {percentage}% | ETA {eta_formatted} | {status}`, stream: process.stderr, hideCursor: true, etaBuffer: 50 },
        Presets.shades_classic,
      );
      this.bar.start(total, start, { status: '' });
    }
  }

  progress(value: number, total: number, status: string): void {
    if (this.bar) this.bar.update(value, { status });
    else if (!this.json && Date.now() - this.lastLine > 10_000) {
      this.lastLine = Date.now();
      process.stderr.write(`${value}/${total} ${status}\n`);
    }
  }

  stopProgress(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}
