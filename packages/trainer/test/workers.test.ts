import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Trainer } from '../src';
import { smallFashion, TINY_MODEL, TINY_TRAINING } from './helpers';
import type { ImageDataset } from '@lowdiff/data';

let data: ImageDataset;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  data = await smallFashion();
});

const weightsOf = (t: Trainer) => new Map(t.model.store.entries().map(([k, v]) => [k, v.dataSync() as Float32Array]));

describe('data-parallel training', () => {
  it('2 and 3 workers follow the loss curve and weights of 1 worker (every stage, dropout on), and resume', async () => {
    // Dropout 0.1 and all four stages (conditioned ones too): the per-sample masks and conditions
    // must split exactly for the curves to agree.
    const config = { ...TINY_TRAINING, steps: 6, batchSize: 7 };
    const curves: number[][] = [];
    const finals: Map<string, Float32Array>[] = [];
    for (const workers of [1, 2, 3]) {
      const t = Trainer.create(TINY_MODEL, data, config);
      const losses: number[] = [];
      await t.run({ workers, onProgress: (r) => losses.push(r.loss) });
      curves.push(losses);
      finals.push(weightsOf(t));
      t.dispose();
    }
    expect(curves[0]).toHaveLength(6);
    for (const w of [1, 2]) {
      curves[w].forEach((l, i) => expect(Math.abs(l - curves[0][i]) / curves[0][i], `workers ${w + 1}, step ${i + 1}`).toBeLessThan(1e-4));
      let maxDiff = 0;
      for (const [k, v] of finals[0]) {
        const other = finals[w].get(k)!;
        for (let i = 0; i < v.length; i++) maxDiff = Math.max(maxDiff, Math.abs(v[i] - other[i]));
      }
      expect(maxDiff, `weights after 6 steps, workers ${w + 1}`).toBeLessThan(1e-4);
    }

    // Checkpoints and resume do not depend on the workers: 3 steps on 2 workers + 3 on 1 == 6 on 1.
    const dir = await mkdtemp(join(tmpdir(), 'workers-'));
    const half = Trainer.create(TINY_MODEL, data, config);
    await half.run({ workers: 2, until: 3, checkpointPath: join(dir, 'half.safetensors') });
    half.dispose();
    const resumed = await Trainer.resume(join(dir, 'half.safetensors'), data);
    const losses: number[] = [];
    await resumed.run({ onProgress: (r) => losses.push(r.loss) });
    losses.forEach((l, i) => expect(Math.abs(l - curves[0][i + 3]) / curves[0][i + 3]).toBeLessThan(1e-4));
    resumed.dispose();
    expect(tf.memory().numTensors).toBeLessThan(5000);
  });
});
