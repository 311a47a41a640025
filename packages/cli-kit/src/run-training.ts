import { join } from 'node:path';
import type { Trainer, TrainingConfigInput, TrainingEngine } from '@lowdiff/trainer';
import { CliError } from './cli-error';
import type { Output } from './output';
import { stagePreset } from './presets';

/** --stages: a preset name, or a JSON array of stages. */
export function stagesFromFlag(flag: string, resolution: number): TrainingConfigInput['stages'] {
  if (!flag.trim().startsWith('[')) return stagePreset(flag, resolution);
  try {
    return JSON.parse(flag);
  } catch (err) {
    throw new CliError(`--stages: not valid JSON (${(err as Error).message})`);
  }
}

/** Exit codes after a stop by signal: 128 + the signal's number, as shells report them. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT;

/**
 * Long work that stops cleanly on SIGINT (Ctrl-C), SIGTERM (Kubernetes, Slurm, systemd,
 * `timeout`) and SIGHUP: the first one aborts `ctl` (the work finishes its step and saves); the
 * same signal again a second or more later quits without saving (a duplicate delivered at once,
 * as a terminal and npm both forwarding Ctrl-C, is ignored). `done()` removes the handlers and,
 * after a stop, sets the exit code to 128 + the signal.
 */
export function stopOnSignals(out: Output, ctl: AbortController, what = 'finishing the step and saving a checkpoint'): { done(): void } {
  let stop: { signal: StopSignal; at: number } | null = null;
  const onSignal = (signal: StopSignal) => {
    if (stop && performance.now() - stop.at > 1000) {
      out.info(`${signal} again: quitting without saving`);
      process.exit(SIGNAL_EXIT[signal]);
    }
    if (stop) return;
    stop = { signal, at: performance.now() };
    out.info(`${signal}: ${what} (send it again to quit without saving)`);
    ctl.abort();
  };
  const handlers = (Object.keys(SIGNAL_EXIT) as StopSignal[]).map((s) => [s, () => onSignal(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return {
    done() {
      for (const [s, h] of handlers) process.off(s, h);
      if (stop) process.exitCode = SIGNAL_EXIT[(stop as { signal: StopSignal }).signal];
    },
  };
}

/**
 * Runs a trainer the way every CLI does: progress bar (or JSON lines), checkpoints and a JSONL
 * log in `outDir`; signals stop it as {@link stopOnSignals} says.
 */
export async function runTraining(trainer: Trainer, o: { out: Output; outDir: string; json: boolean; workers?: number; engine?: TrainingEngine; info: Record<string, unknown> }): Promise<void> {
  const path = join(o.outDir, 'train.safetensors');
  const { out } = o;
  const ctl = new AbortController();
  const signals = stopOnSignals(out, ctl);
  try {
    out.startProgress('train', trainer.config.steps, trainer.step);
    const result = await trainer.run({
      checkpointPath: path,
      logPath: join(o.outDir, 'train.jsonl'),
      signal: ctl.signal,
      workers: Math.min(o.workers ?? 1, trainer.config.batchSize),
      engine: o.engine,
      info: o.info,
      onProgress: (r) => {
        const losses = Object.entries(r.lossPerStage).map(([k, v]) => `${k}:${v.toFixed(3)}`).join(' ');
        out.progress(r.step, r.totalSteps, `${r.stepsPerSec.toFixed(2)} it/s, ${(r.stepsPerSec * trainer.config.batchSize).toFixed(0)} images/s, loss ${losses}`);
        if (o.json && r.step % 50 === 0) out.result({ event: 'progress', ...r });
      },
      onSkip: (s) => out.info(`skipped step ${s.step}: ${s.reason}`),
      onCheckpoint: (c) => out.result({ event: 'checkpoint', ...c }),
      onLogRepaired: (r) =>
        out.info(
          trainer.step === 0
            ? `train.jsonl: dropped the ${r.dropped} line(s) of an earlier run's log`
            : `train.jsonl: dropped ${r.dropped} line(s) past the checkpoint's step ${trainer.step} (torn, or to be trained again)`,
        ),
    });
    out.stopProgress();
    out.info(`${result.reason === 'aborted' ? 'stopped' : 'done'} at step ${result.step}; checkpoint ${path}`);
    out.result({ event: 'done', ...result, checkpoint: path });
  } finally {
    signals.done();
  }
}
