import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '@lowdiff/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { repairLog, Trainer, TrainingConfigError } from '../src';
import { smallFashion, TINY_MODEL, TINY_TRAINING } from './helpers';
import type { ImageDataset } from '@lowdiff/data';

let data: ImageDataset;
let dir: string;
let good: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  data = await smallFashion();
  dir = await mkdtemp(join(tmpdir(), 'resume-safety-'));
  good = join(dir, 'good.safetensors');
  const trainer = Trainer.create(TINY_MODEL, data, { ...TINY_TRAINING, steps: 3 });
  await trainer.run({ checkpointPath: good });
  trainer.dispose();
});

/** A copy of the good checkpoint with `edit` applied to what it holds. */
async function damaged(name: string, edit: (c: Awaited<ReturnType<typeof loadCheckpoint>>) => Parameters<typeof saveCheckpoint>[2]): Promise<string> {
  const c = await loadCheckpoint(good);
  const path = join(dir, `${name}.safetensors`);
  await saveCheckpoint(path, c.model, edit(c));
  c.model.dispose();
  return path;
}

describe('resume refuses damaged or changed state, naming it', () => {
  it('a changed batch size or seed, unless allowChanges', async () => {
    await expect(Trainer.resume(good, data, { batchSize: TINY_TRAINING.batchSize! * 2 })).rejects.toThrow(/batchSize \d+ differs from the run's \d+: resuming with it would skip or repeat images/);
    await expect(Trainer.resume(good, data, { seed: 99 })).rejects.toThrow(/seed 99 differs from the run's/);
    const t = await Trainer.resume(good, data, { seed: 99 }, undefined, { allowChanges: true });
    expect(t.config.seed).toBe(99);
    t.dispose();
  });

  it('missing Adam moments, an all-zero RNG state, EMA-only weights', async () => {
    const noMoments = await damaged('no-moments', (c) => ({ ema: c.ema!, training: c.training, tensors: new Map([...c.tensors].filter(([k]) => !k.startsWith('adam.v/'))) }));
    await expect(Trainer.resume(noMoments, data)).rejects.toThrow(/Adam moment adam\.v\/\S+ is missing \(incomplete training state\)/);
    const zeroRng = await damaged('zero-rng', (c) => {
      const training = c.training as { rng: { state: number[] } };
      return { ema: c.ema!, tensors: c.tensors, training: { ...training, rng: { ...training.rng, state: training.rng.state.map(() => 0) } } };
    });
    await expect(Trainer.resume(zeroRng, data)).rejects.toThrow(/RNG state is all zeros/);
    const emaOnly = await damaged('ema-only', (c) => ({ ema: c.ema!, tensors: c.tensors, training: c.training, emaOnly: true }));
    await expect(Trainer.resume(emaOnly, data)).rejects.toThrow(TrainingConfigError);
    await expect(Trainer.resume(emaOnly, data)).rejects.toThrow(/holds only EMA weights/);
    const before = tf.memory().numTensors;
    await expect(Trainer.resume(zeroRng, data)).rejects.toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('repairLog', () => {
  it('cuts a torn last line, steps past the checkpoint, and stale runs; leaves a clean log alone', async () => {
    const log = join(dir, 'train.jsonl');
    const lines = [1, 2, 3, 4, 5].map((step) => JSON.stringify({ step, loss: 0.5 }));
    await writeFile(log, `${lines.join('\n')}\n{"step":6,"loss":0.`);
    expect(await repairLog(log, 4)).toEqual({ kept: 4, dropped: 2 });
    expect(await readFile(log, 'utf8')).toBe(`${lines.slice(0, 4).join('\n')}\n`);
    expect(await repairLog(log, 4)).toEqual({ kept: 4, dropped: 0 });
    expect(await repairLog(log, 0)).toEqual({ kept: 0, dropped: 4 });
    expect(await readFile(log, 'utf8')).toBe('');
    expect(await repairLog(join(dir, 'none.jsonl'), 3)).toEqual({ kept: 0, dropped: 0 });
  });

  it('a resumed run logs each step once, after a torn line', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'resume-log-'));
    const ckpt = join(runDir, 'train.safetensors');
    const log = join(runDir, 'train.jsonl');
    const first = Trainer.create(TINY_MODEL, data, { ...TINY_TRAINING, steps: 4, checkpointEvery: 2 });
    await first.run({ until: 3, checkpointPath: ckpt, logPath: log });
    first.dispose();
    // The checkpoint is at step 3; pretend a crash tore a line for step 4.
    await writeFile(log, `${await readFile(log, 'utf8')}{"step":4,"lo`);
    const resumed = await Trainer.resume(ckpt, data);
    let repaired = 0;
    await resumed.run({ checkpointPath: ckpt, logPath: log, onLogRepaired: (r) => (repaired = r.dropped) });
    resumed.dispose();
    expect(repaired).toBe(1);
    const steps = (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).step);
    expect(steps).toEqual([1, 2, 3, 4]);
  });
});
