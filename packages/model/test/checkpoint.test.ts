import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, decodeSafetensors, EdmDenoiser, encodeSafetensors, loadCheckpoint, saveCheckpoint, type ModelConfigInput } from '../src';

beforeAll(() => initBackend({ backend: 'wasm' }));

const CFG = { kind: 'unet', channels: 1, resolution: 8, stageResolutions: [4, 8], numClasses: 2, baseChannels: 8, groupNormGroups: 4, channelMult: [1, 1], attentionResolutions: [4] } satisfies ModelConfigInput;

async function randomModel(seed: number): Promise<EdmDenoiser> {
  const model = new EdmDenoiser(CFG, seed);
  const rng = new Rng(seed);
  for (const v of model.store.vars.values()) v.assign(rng.normalTensor(v.shape, 0, 0.2));
  return model;
}

describe('checkpoints', () => {
  it('round-trip weights, EMA, extra tensors and state; the loaded model computes the same', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ckpt-'));
    const path = join(dir, 'model.safetensors');
    const model = await randomModel(1);
    const ema = new Map(model.store.entries().map(([n, v]) => [n, tf.mul(v, 0.5)] as const));
    const extra = new Map([['adam.m/stem.r8.weight', tf.ones([2, 2])]]);
    await saveCheckpoint(path, model, { ema, tensors: extra, training: { step: 7, rng: new Rng(3).state() }, info: { command: 'x' } });
    const loaded = await loadCheckpoint(path);
    expect(loaded.training).toEqual({ step: 7, rng: new Rng(3).state() });
    expect(loaded.info).toEqual({ command: 'x' });
    expect(loaded.config).toEqual(model.config);
    for (const [n, v] of model.store.entries()) {
      expect(Array.from(loaded.model.store.vars.get(n)!.dataSync())).toEqual(Array.from(v.dataSync()));
      expect(Array.from(loaded.ema!.get(n)!.dataSync())).toEqual(Array.from(ema.get(n)!.dataSync()));
    }
    expect(Array.from(loaded.tensors.get('adam.m/stem.r8.weight')!.dataSync())).toEqual([1, 1, 1, 1]);
    const x = new Rng(4).normalTensor([2, 8, 8, 1]) as tf.Tensor4D;
    const call = { resolution: 8, condition: x, sigmaAug: 0.1, classLabels: tf.tensor1d([0, 1], 'int32') };
    expect(Array.from(loaded.model.denoise(x, 1.3, call).dataSync())).toEqual(Array.from(model.denoise(x, 1.3, call).dataSync()));
    const viaEma = await loadCheckpoint(path, { use: 'ema' });
    expect(Array.from(viaEma.model.store.vars.get('stem.r8.weight')!.dataSync())).toEqual(Array.from(ema.get('stem.r8.weight')!.dataSync()));
    expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('can ship the EMA weights only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ckpt-'));
    const model = await randomModel(2);
    const ema = new Map(model.store.entries().map(([n, v]) => [n, tf.add(v, 1)] as const));
    await saveCheckpoint(join(dir, 'ema.safetensors'), model, { ema, emaOnly: true });
    const { tensors } = decodeSafetensors(await readFile(join(dir, 'ema.safetensors')));
    expect([...tensors.keys()].every((k) => k.startsWith('ema/'))).toBe(true);
    const loaded = await loadCheckpoint(join(dir, 'ema.safetensors'));
    expect(Array.from(loaded.model.store.vars.get('stem.r8.bias')!.dataSync())).toEqual(Array.from(ema.get('stem.r8.bias')!.dataSync()));
  });

  it('refuses mismatched, truncated and corrupt checkpoints with clear messages, and changes nothing on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ckpt-'));
    const path = join(dir, 'good.safetensors');
    await saveCheckpoint(path, await randomModel(3));
    const good = await readFile(path);
    const { tensors, metadata } = decodeSafetensors(good);
    const asWritable = (m: typeof tensors) => new Map([...m].map(([k, t]) => [k, { shape: t.shape, data: t.data as Float32Array }] as const));
    const variants: [string, Uint8Array, RegExp][] = [];
    variants.push(['truncated', good.subarray(0, good.length - 100), /cannot load checkpoint: .*truncated/]);
    variants.push(['other config', encodeSafetensors(asWritable(tensors), { ...metadata, config: JSON.stringify({ ...CFG, baseChannels: 16 }) }), /weights do not match the config: .*has shape/]);
    variants.push(['bad config', encodeSafetensors(asWritable(tensors), { ...metadata, config: JSON.stringify({ ...CFG, resolution: 7 }) }), /resolution: must be a power of two/]);
    variants.push(['not a checkpoint', encodeSafetensors(asWritable(tensors), {}), /not a LowDiff checkpoint/]);
    const missing = asWritable(tensors);
    missing.delete('model/mid.b0.conv0.weight');
    variants.push(['missing weight', encodeSafetensors(missing, metadata), /missing model\/mid.b0.conv0.weight/]);
    const extra = asWritable(tensors);
    extra.set('model/surprise', { shape: [1], data: new Float32Array(1) });
    variants.push(['unexpected weight', encodeSafetensors(extra, metadata), /unexpected model\/surprise/]);
    const poisoned = asWritable(tensors);
    poisoned.set('model/stem.r8.bias', { shape: [8], data: new Float32Array(8).fill(Number.NaN) });
    variants.push(['NaN weights', encodeSafetensors(poisoned, metadata), /model\/stem.r8.bias holds NaN or infinite values/]);
    for (const [label, bytes, message] of variants) {
      const p = join(dir, `${label}.safetensors`);
      await writeFile(p, bytes);
      const err = await loadCheckpoint(p).catch((e: unknown) => e);
      expect(err, label).toBeInstanceOf(CheckpointError);
      expect((err as Error).message, label).toMatch(message);
      expect(Buffer.compare(await readFile(p), Buffer.from(bytes)), label).toBe(0);
    }
    expect(Buffer.compare(await readFile(path), good)).toBe(0);
  });
});

describe('a config the file does not hold', () => {
  it('is refused from a dry run, before the model is built (a "huge model" costs nothing)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ckpt-'));
    await saveCheckpoint(join(dir, 'small.safetensors'), await randomModel(5));
    const { tensors, metadata } = decodeSafetensors(await readFile(join(dir, 'small.safetensors')));
    const writable = new Map([...tensors].map(([k, t]) => [k, { shape: t.shape, data: t.data as Float32Array }] as const));
    // ~80 billion weights if built: the wasm heap would abort long before.
    const huge = { ...CFG, resolution: 64, stageResolutions: [64], baseChannels: 16384, channelMult: [4, 4, 4], numResBlocks: 8, attentionResolutions: [] };
    await writeFile(join(dir, 'huge.safetensors'), encodeSafetensors(writable, { ...metadata, config: JSON.stringify(huge) }));
    const numTensors = tf.memory().numTensors;
    const rss = process.memoryUsage().rss;
    await expect(loadCheckpoint(join(dir, 'huge.safetensors'))).rejects.toThrow(/weights do not match the config/);
    expect(tf.memory().numTensors).toBe(numTensors);
    expect((process.memoryUsage().rss - rss) / 2 ** 20).toBeLessThan(256);
  });

  it('the dry run plans exactly the weights a built model has (UNet and DiT)', () => {
    const dit = { kind: 'dit', channels: 4, resolution: 8, stageResolutions: [4, 8], numClasses: 3, patchSize: 2, hiddenSize: 16, depth: 2, heads: 2 } satisfies ModelConfigInput;
    for (const config of [CFG, dit]) {
      const model = new EdmDenoiser(config);
      const byName = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : 1);
      expect([...EdmDenoiser.plannedWeights(config)].sort(byName)).toEqual(model.store.entries().map(([n, v]) => [n, v.shape]));
      model.dispose();
    }
  });
});
