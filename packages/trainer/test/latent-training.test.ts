import { initBackend, Rng } from '@lowdiff/backend';
import { createLatentDataset } from '@lowdiff/data';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Trainer, TrainingConfigError } from '../src';

beforeAll(() => initBackend({ backend: 'wasm' }));

/** 64 latents of 4x4x4: a class-dependent mean plus unit noise, values far outside [-1, 1] allowed. */
function latents() {
  const rng = new Rng(5);
  const count = 64;
  const labels = Int32Array.from({ length: count }, (_, i) => i % 2);
  const values = Float32Array.from({ length: count * 64 }, (_, j) => (labels[Math.floor(j / 64)] ? 1.5 : -1.5) + rng.normal());
  return createLatentDataset({ name: 'synthetic-latents', values, labels, count, height: 4, width: 4, channels: 4, numClasses: 2, classNames: ['low', 'high'] });
}

const TINY_DIT = { kind: 'dit' as const, channels: 4, resolution: 4, stageResolutions: [2, 4], numClasses: 2, patchSize: 1, hiddenSize: 32, depth: 1, heads: 2 };
const TRAINING = {
  stages: [
    { resolution: 2, probability: 1, conditioned: false },
    { resolution: 4, probability: 1, conditioned: true },
    { resolution: 4, probability: 1, conditioned: false },
  ],
  batchSize: 8,
  steps: 6,
  learningRate: 1e-3,
  warmupSteps: 2,
  emaHalfLifeImages: 50,
  checkpointEvery: 1000,
  seed: 1,
};

describe('Trainer on a LatentDataset', () => {
  it('trains a tiny DiT on 4-channel latents, saves a checkpoint and resumes from it', async () => {
    const data = latents();
    const trainer = Trainer.create(TINY_DIT, data, TRAINING);
    const losses: number[] = [];
    const dir = await mkdtemp(join(tmpdir(), 'latent-train-'));
    const path = join(dir, 'ldit.safetensors');
    const result = await trainer.run({ checkpointPath: path, onProgress: (r) => losses.push(r.loss) });
    expect(result.step).toBe(6);
    expect(losses).toHaveLength(6);
    for (const l of losses) expect(Number.isFinite(l)).toBe(true);
    trainer.dispose();
    const resumed = await Trainer.resume(path, data, { steps: 8 });
    expect(resumed.step).toBe(6);
    await resumed.run();
    expect(resumed.step).toBe(8);
    expect(resumed.model.channels).toBe(4);
    resumed.dispose();
  });

  it('rejects latents whose shape does not fit the model, naming both', () => {
    expect(() => Trainer.create({ ...TINY_DIT, channels: 3 }, latents(), TRAINING)).toThrow(TrainingConfigError);
    expect(() => Trainer.create({ ...TINY_DIT, channels: 3 }, latents(), TRAINING)).toThrow(/4x4x4 images, the model needs 4x4x3/);
  });
});
