import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { edmLoss, Trainer, TrainingConfigError, TrainingDivergedError } from '../src';
import { smallFashion, TINY_MODEL, TINY_TRAINING } from './helpers';
import type { ImageDataset } from '@lowdiff/data';

let data: ImageDataset;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  data = await smallFashion();
});

const snapshot = (m: Map<string, tf.Tensor>) => new Map([...m].map(([k, t]) => [k, Array.from(t.dataSync())]));

describe('Trainer', () => {
  it('resumes exactly: 8 steps straight == 4 + resume + 4, across the end of warm-up (weights, EMA, Adam moments)', async () => {
    // Few steps: exactness does not need many, and the resume lands inside the 5-step warm-up.
    const config = { ...TINY_TRAINING, steps: 8 };
    const dir = await mkdtemp(join(tmpdir(), 'train-'));
    const straight = Trainer.create(TINY_MODEL, data, config);
    await straight.run();
    const half = Trainer.create(TINY_MODEL, data, config);
    await half.run({ until: 4, checkpointPath: join(dir, 'half.safetensors') });
    half.dispose();
    const resumed = await Trainer.resume(join(dir, 'half.safetensors'), data);
    expect(resumed.step).toBe(4);
    await resumed.run();
    expect(resumed.step).toBe(8);
    expect(snapshot(new Map(resumed.model.store.entries()))).toEqual(snapshot(new Map(straight.model.store.entries())));
    expect(snapshot(resumed.emaWeights())).toEqual(snapshot(straight.emaWeights()));
    expect(snapshot(resumed.optimizerState())).toEqual(snapshot(straight.optimizerState()));
    expect(resumed.state().rng).toEqual(straight.state().rng);
    expect(resumed.state().cursor).toEqual(straight.state().cursor);
    // EMA moved away from the initial weights and differs from the raw weights.
    const initial = Trainer.create(TINY_MODEL, data, config);
    const name = 'mid.b0.conv0.weight';
    const ema = straight.emaWeights().get(name)!.dataSync();
    const raw = straight.model.store.vars.get(name)!.dataSync();
    const init = initial.model.store.vars.get(name)!.dataSync();
    const dist = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v, i) => s + (v - b[i]) ** 2, 0));
    expect(dist(ema, init)).toBeGreaterThan(1e-3);
    expect(dist(ema, raw)).toBeGreaterThan(1e-3);
    [straight, resumed, initial].forEach((t) => t.dispose());
  });

  it('a tiny config trains for 30 steps and its loss falls on a fixed evaluation batch', async () => {
    const trainer = Trainer.create(TINY_MODEL, data, { ...TINY_TRAINING, steps: 30, batchSize: 16 });
    const rng = new Rng(99);
    const idx = Array.from({ length: 32 }, (_, i) => i * 7);
    const y = tf.tidy(() => tf.sub(tf.div(tf.tensor4d(Int32Array.from(idx.flatMap((i) => Array.from(data.images.subarray(i * 256, (i + 1) * 256)))), [32, 16, 16, 1], 'float32'), 127.5), 1)) as tf.Tensor4D;
    const sigma = Float32Array.from({ length: 32 }, () => Math.exp(-1.2 + 1.2 * rng.normal()));
    const noise = rng.normalTensor([32, 16, 16, 1]) as tf.Tensor4D;
    // The mean EDM loss over every stage resolution on one fixed batch, fixed noise and sigmas.
    const evalLoss = () =>
      [4, 8, 16].reduce((sum, r) => {
        const l = tf.tidy(() => {
          const yr = (r === 16 ? y : tf.avgPool(y, 16 / r, 16 / r, 'valid')) as tf.Tensor4D;
          const nr = tf.slice(noise, [0, 0, 0, 0], [32, r, r, 1]) as tf.Tensor4D;
          return edmLoss(trainer.model, yr, sigma, nr, { resolution: r }).dataSync()[0];
        });
        return sum + l / 3;
      }, 0);
    const before = evalLoss();
    const reports: number[] = [];
    await trainer.run({ onProgress: (r) => reports.push(r.loss) });
    expect(reports).toHaveLength(30);
    expect(evalLoss()).toBeLessThan(before * 0.88);
    tf.dispose([y, noise]);
    trainer.dispose();
  });

  it('skips a non-finite step, stops after several in a row, and keeps the last good checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'train-'));
    const path = join(dir, 'ckpt.safetensors');
    const trainer = Trainer.create(TINY_MODEL, data, { ...TINY_TRAINING, steps: 40, maxBadSteps: 3, checkpointEvery: 4 });
    const w = trainer.model.store.vars.get('mid.b0.conv0.bias')!;
    const good = w.clone();
    const skips: string[] = [];
    let armed = 1;
    const poison = (step: number) => {
      // One bad step at 5 (recovers), then a persistent fault from step 8 on.
      if ((step === 5 && armed-- > 0) || step >= 8) w.assign(tf.fill(w.shape, Number.NaN));
      else w.assign(good);
    };
    let saved = Buffer.alloc(0);
    const err = await trainer
      .run({
        checkpointPath: path,
        beforeStep: poison,
        onSkip: (s) => skips.push(`${s.step}:${s.reason}`),
        onCheckpoint: async () => {
          saved = await readFile(path);
        },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as Error).message).toMatch(/3 non-finite steps in a row .*last good checkpoint .* is kept/);
    expect(skips[0]).toMatch(/^5:loss is NaN/);
    expect(skips).toHaveLength(4);
    expect(trainer.step).toBe(8);
    const onDisk = await readFile(path);
    expect(Buffer.compare(onDisk, saved)).toBe(0);
    good.dispose();
    trainer.dispose();
  });

  it('an aborted run (Ctrl-C) writes a checkpoint and stops', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'train-'));
    const path = join(dir, 'ckpt.safetensors');
    const trainer = Trainer.create(TINY_MODEL, data, TINY_TRAINING);
    const ctl = new AbortController();
    const result = await trainer.run({ checkpointPath: path, logPath: join(dir, 'log.jsonl'), onProgress: (r) => r.step === 3 && ctl.abort(), signal: ctl.signal, info: { command: 'test' } });
    expect(result).toMatchObject({ step: 3, reason: 'aborted' });
    const resumed = await Trainer.resume(path, data);
    expect(resumed.step).toBe(3);
    const log = (await readFile(join(dir, 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((l) => l.step)).toEqual([1, 2, 3]);
    trainer.dispose();
    resumed.dispose();
  });

  it('leaves no tensors behind: steps do not grow the count, dispose frees everything', async () => {
    const before = tf.memory().numTensors;
    const trainer = Trainer.create(TINY_MODEL, data, { ...TINY_TRAINING, stages: [{ resolution: 16, probability: 1, conditioned: true }] });
    await trainer.run({ until: 2 });
    const afterTwo = tf.memory().numTensors;
    await trainer.run({ until: 5 });
    expect(tf.memory().numTensors).toBe(afterTwo);
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects configs that do not fit the model or data, naming the field', () => {
    const bad = (stages: object[]) => () => Trainer.create(TINY_MODEL, data, { ...TINY_TRAINING, stages } as never);
    expect(bad([{ resolution: 32, probability: 1, conditioned: false }])).toThrow(/stages.0.resolution: 32 is not a model resolution/);
    expect(bad([{ resolution: 4, probability: 1, conditioned: true }])).toThrow(/stages.0.conditioned: the lowest resolution/);
    expect(bad([{ resolution: 8, probability: 0, conditioned: true }])).toThrow(/stages.0.probability/);
    expect(bad([{ resolution: 8, probability: 1, conditioned: true }, { resolution: 8, probability: 2, conditioned: true }])).toThrow(/duplicate stage/);
    expect(() => Trainer.create({ ...TINY_MODEL, resolution: 32, stageResolutions: [8, 16, 32] }, data, TINY_TRAINING)).toThrow(TrainingConfigError);
  });
});
