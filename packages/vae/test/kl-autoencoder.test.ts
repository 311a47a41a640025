import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng } from '@lowdiff/backend';
import { batches, createImageDataset, loadFashionMnist } from '@lowdiff/data';
import {
  AutoencoderKL,
  AutoencoderWeightsError,
  KlAutoencoder,
  VaeConfigError,
  encodeInBatches,
  klDivergence,
  loadKlAutoencoder,
  measureLatentStats,
  perChannelNormalisation,
  reconstructionLoss,
  reconstructionPsnr,
  saveAutoencoderKL,
  saveKlAutoencoder,
  trainAutoencoder,
  type KlTrainingConfigInput,
} from '../src';

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'lowdiff-kl-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Per-channel mean and std of an NHWC tensor, in float64. */
function channelStats(t: tf.Tensor4D): { mean: number[]; std: number[] } {
  const c = t.shape[3];
  const v = t.dataSync();
  const n = v.length / c;
  const mean = Array.from({ length: c }, (_, ch) => {
    let s = 0;
    for (let i = ch; i < v.length; i += c) s += v[i];
    return s / n;
  });
  const std = mean.map((m, ch) => {
    let s = 0;
    for (let i = ch; i < v.length; i += c) s += (v[i] - m) ** 2;
    return Math.sqrt(s / n);
  });
  return { mean, std };
}

describe('KL autoencoder on Fashion-MNIST', () => {
  // A short, step-counted run (about 10 s on 2 idle cores): it checks that training learns and
  // generalises, not a target quality. The quality claim (150 steps reach > 18 dB on held-out
  // images) is a benchmark: packages/vae/bench/train-vae.ts --min-psnr 18 (see its header).
  const config: KlTrainingConfigInput = { model: { channels: [8, 16, 16] }, batchSize: 8, learningRate: 4e-3, loss: 'l2', klWeight: 1e-4, seed: 0 };
  const STEPS = 30;

  it('30 steps cut the reconstruction loss and raise held-out PSNR well above untrained; normalised latents have zero mean, unit std', async () => {
    const train = await loadFashionMnist({ split: 'train', size: 32, limit: 256 });
    const test = await loadFashionMnist({ split: 'test', size: 32, limit: 200 });
    const before = tf.memory().numTensors;
    const reports: number[] = [];
    const fresh = new KlAutoencoder(config.model, 0);
    const untrained = await reconstructionPsnr(fresh, test);
    fresh.dispose();
    const { autoencoder: ae, step, stopped, history } = await trainAutoencoder(train, config, {
      steps: STEPS,
      progressEvery: 5,
      onProgress: (p) => reports.push(p.step),
    });
    expect(step).toBe(STEPS);
    expect(stopped).toBe('steps');
    expect(reports).toEqual([5, 10, 15, 20, 25, 30]);
    expect(history.map((h) => h.step)).toEqual(reports);
    for (const h of history) expect(Number.isFinite(h.loss)).toBe(true);
    // Measured 0.44 at step 5 -> 0.14 at step 30 (seed 0).
    expect(history.at(-1)!.reconstruction).toBeLessThan(history[0].reconstruction / 2);
    expect(ae.latentShape(32)).toEqual([8, 8, 4]);

    const stats = await measureLatentStats(ae, train);
    expect(stats.count).toBe(256 * 64);
    ae.setNormalisation(perChannelNormalisation(stats));
    const quality = await reconstructionPsnr(ae, test);
    // Measured 14.7 dB after 30 steps; untrained about 6 dB.
    expect(quality.count).toBe(200);
    expect(untrained.psnr).toBeLessThan(8);
    expect(quality.psnr).toBeGreaterThan(untrained.psnr + 5);

    const latents = await encodeInBatches(ae, train, { batchSize: 100 });
    expect(latents.shape).toEqual([256, 8, 8, 4]);
    const measured = channelStats(latents);
    for (let c = 0; c < 4; c++) {
      expect(Math.abs(measured.mean[c])).toBeLessThan(0.1);
      expect(Math.abs(measured.std[c] - 1)).toBeLessThan(0.1);
    }
    // Held-out images: same distribution, so near zero mean and unit std too.
    const testLatents = await encodeInBatches(ae, test);
    const held = channelStats(testLatents);
    for (let c = 0; c < 4; c++) {
      expect(Math.abs(held.mean[c])).toBeLessThan(0.2);
      expect(Math.abs(held.std[c] - 1)).toBeLessThan(0.2);
    }

    // The checkpoint keeps weights, config and the measured statistics.
    const path = join(dir, 'fmnist.safetensors');
    await saveKlAutoencoder(path, ae, { info: { psnr: quality.psnr } });
    const loaded = await loadKlAutoencoder(path);
    expect(loaded.autoencoder.normalisation).toEqual(ae.normalisation);
    expect(loaded.autoencoder.config).toEqual(ae.config);
    expect(loaded.info).toEqual({ psnr: quality.psnr });
    expect((await reconstructionPsnr(loaded.autoencoder, test)).psnr).toBe(quality.psnr);

    tf.dispose([latents, testLatents]);
    ae.dispose();
    loaded.autoencoder.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('trainAutoencoder mechanics (synthetic data)', () => {
  const tiny: KlTrainingConfigInput = { model: { channels: [4, 8], normGroups: 2, latentChannels: 2 }, batchSize: 4, seed: 3 };
  const rng = new Rng(1);
  const ds = createImageDataset({
    name: 'synthetic',
    images: Uint8Array.from({ length: 12 * 8 * 8 }, () => rng.int(256)),
    labels: new Int32Array(12),
    count: 12,
    height: 8,
    width: 8,
    channels: 1,
    numClasses: 1,
    classNames: ['x'],
  });
  const weightsOf = (ae: KlAutoencoder) => ae.store.entries().map(([n, v]) => [n, Array.from(v.dataSync())] as const);

  it('resuming from a checkpoint continues exactly (weights, Adam moments, RNG, data cursor)', async () => {
    const straight = await trainAutoencoder(ds, tiny, { steps: 7 });
    const path = join(dir, 'resume.safetensors');
    const first = await trainAutoencoder(ds, tiny, { steps: 4, checkpointPath: path });
    first.autoencoder.dispose();
    const saved = await loadKlAutoencoder(path);
    expect(saved.training).toMatchObject({ step: 4, cursor: { epoch: 1, step: 1 } });
    expect(saved.optimizer.size).toBe(2 * saved.autoencoder.store.entries().length);
    tf.dispose([...saved.optimizer.values()]);
    saved.autoencoder.dispose();
    const resumed = await trainAutoencoder(ds, tiny, { steps: 7, checkpointPath: path, resume: true });
    expect(resumed.step).toBe(7);
    expect(weightsOf(resumed.autoencoder)).toEqual(weightsOf(straight.autoencoder));
    // A different model config cannot resume from it.
    await expect(trainAutoencoder(ds, { ...tiny, model: { ...tiny.model, latentChannels: 4 } }, { steps: 8, checkpointPath: path, resume: true })).rejects.toThrow(
      /model: differs from the checkpoint's model config/,
    );
    straight.autoencoder.dispose();
    resumed.autoencoder.dispose();
  });

  it('stops on abort (writing a checkpoint) and when a batch stream ends; no tensors leak', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const path = join(dir, 'abort.safetensors');
    const aborted = await trainAutoencoder(ds, tiny, {
      steps: 100,
      progressEvery: 1,
      checkpointPath: path,
      onProgress: (p) => p.step === 2 && controller.abort(),
      signal: controller.signal,
    });
    expect(aborted.stopped).toBe('aborted');
    expect(aborted.step).toBe(2);
    const saved = await loadKlAutoencoder(path);
    expect(saved.training).toMatchObject({ step: 2 });
    tf.dispose([...saved.optimizer.values()]);
    saved.autoencoder.dispose();
    const stream = await trainAutoencoder(batches(ds, { batchSize: 4, seed: 0 }), tiny, { steps: 10, autoencoder: aborted.autoencoder });
    expect(stream.stopped).toBe('data-exhausted');
    expect(stream.step).toBe(3);
    expect(stream.autoencoder).toBe(aborted.autoencoder);
    stream.autoencoder.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bad configs and options name the field', async () => {
    await expect(trainAutoencoder(ds, { learningRate: -1 }, { steps: 1 })).rejects.toThrow(/learningRate: must be > 0/);
    await expect(trainAutoencoder(ds, { model: { channels: [4, 6], normGroups: 4 } }, { steps: 1 })).rejects.toThrow(/model\.channels\.1: 6 is not divisible/);
    await expect(trainAutoencoder(ds, { loss: 'l3' } as unknown as KlTrainingConfigInput, { steps: 1 })).rejects.toThrow(VaeConfigError);
    await expect(trainAutoencoder(ds, tiny, { steps: -1 })).rejects.toThrow(/steps: must be an integer >= 0/);
    await expect(trainAutoencoder(ds, tiny, { steps: 1, resume: true })).rejects.toThrow(/resume: needs checkpointPath/);
    expect(() => new KlAutoencoder({ latentChannels: 0 })).toThrow(/latentChannels: must be >= 1/);
    const rgb = createImageDataset({ ...ds, name: 'rgb', images: new Uint8Array(12 * 8 * 8 * 3), channels: 3 });
    await expect(trainAutoencoder(rgb, tiny, { steps: 1 })).rejects.toThrow(/images must have 1 channel/);
  });

  it('loadKlAutoencoder refuses other files', async () => {
    const path = join(dir, 'sd.safetensors');
    const vae = new AutoencoderKL({ blockOutChannels: [4], layersPerBlock: 1, normNumGroups: 2 });
    await saveAutoencoderKL(path, vae);
    vae.dispose();
    await expect(loadKlAutoencoder(path)).rejects.toThrow(AutoencoderWeightsError);
    await expect(loadKlAutoencoder(path)).rejects.toThrow(/not a LowDiff KL autoencoder checkpoint/);
  });
});

describe('losses', () => {
  it('KL per element is 0.5 (mean^2 + exp(logvar) - 1 - logvar); reconstruction is mean |d| or d^2', () => {
    const mean = tf.tensor1d([0, 1, 0, 2]);
    const logvar = tf.tensor1d([0, 0, Math.log(2), -1]);
    const expected = [0, 0.5, 0.5 * (2 - 1 - Math.log(2)), 0.5 * (4 + Math.exp(-1) - 1 + 1)].reduce((a, b) => a + b) / 4;
    expect(klDivergence(mean, logvar).dataSync()[0]).toBeCloseTo(expected, 6);
    const a = tf.tensor1d([1, -1, 0.5]);
    const b = tf.tensor1d([0, 1, 0.5]);
    expect(reconstructionLoss(a, b, 'l1').dataSync()[0]).toBeCloseTo(1, 6);
    expect(reconstructionLoss(a, b, 'l2').dataSync()[0]).toBeCloseTo(5 / 3, 6);
    tf.dispose([mean, logvar, a, b]);
  });
});
