import { join } from 'node:path';
import type { Trainer, TrainingConfigInput } from '@lowdiff/trainer';
import { CliError } from './cli-error';
import { formatSeconds, type Output } from './output';
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

/**
 * Runs a trainer the way every CLI does: progress bar (or JSON lines), checkpoints and a JSONL
 * log in `outDir`; the first Ctrl-C finishes the step and saves, a second one quits.
 */
export async function runTraining(trainer: Trainer, o: { out: Output; outDir: string; json: boolean; info: Record<string, unknown> }): Promise<void> {
  const path = join(o.outDir, 'train.safetensors');
  const { out } = o;
  const ctl = new AbortController();
  process.once('SIGINT', () => {
    out.info('interrupted: finishing the step and saving a checkpoint (Ctrl-C again to quit without saving)');
    ctl.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  out.startProgress('train', trainer.config.steps, trainer.step);
  const result = await trainer.run({
    checkpointPath: path,
    logPath: join(o.outDir, 'train.jsonl'),
    signal: ctl.signal,
    info: o.info,
    onProgress: (r) => {
      const losses = Object.entries(r.lossPerStage).map(([k, v]) => `${k}:${v.toFixed(3)}`).join(' ');
      out.progress(r.step, r.totalSteps, `${r.stepsPerSec.toFixed(2)} it/s ETA ${formatSeconds(r.etaSec)} loss ${losses}`);
      if (o.json && r.step % 50 === 0) out.result({ event: 'progress', ...r });
    },
    onSkip: (s) => out.info(`skipped step ${s.step}: ${s.reason}`),
    onCheckpoint: (c) => out.result({ event: 'checkpoint', ...c }),
  });
  out.stopProgress();
  out.info(`${result.reason === 'aborted' ? 'stopped' : 'done'} at step ${result.step}; checkpoint ${path}`);
  out.result({ event: 'done', ...result, checkpoint: path });
}
