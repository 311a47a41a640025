import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng } from '@lowdiff/backend';
import { batches, createImageDataset, toTensor } from '@lowdiff/data';
import {
  AutoencoderKL,
  ChannelMoments,
  LatentInputError,
  MAX_PSNR,
  VaeConfigError,
  decodeInBatches,
  denormaliseLatents,
  encodeInBatches,
  identityAdapter,
  normaliseLatents,
  reconstructionPsnr,
  sanitiseLatents,
  tensorBatches,
  type LatentAdapter,
} from '../src';
import { maxAbsDiff } from './helpers';

beforeAll(() => initBackend({ backend: 'wasm' }));

function dataset(count: number, size: number, channels: 1 | 3, seed = 0) {
  const rng = new Rng(seed);
  return createImageDataset({
    name: 'synthetic',
    images: Uint8Array.from({ length: count * size * size * channels }, () => rng.int(256)),
    labels: new Int32Array(count),
    count,
    height: size,
    width: size,
    channels,
    numClasses: 1,
    classNames: ['x'],
  });
}

describe('identityAdapter', () => {
  it('round trip is exact, returns new tensors, latent shape = image shape', () => {
    const a = identityAdapter(3);
    expect(a.latentShape(32)).toEqual([32, 32, 3]);
    expect(a.latentShape([8, 12])).toEqual([8, 12, 3]);
    expect(a.downsampleFactor).toBe(1);
    expect(a.normalisation).toEqual({ kind: 'scale-shift', scale: 1, shift: 0 });
    const x = tf.tensor4d(new Rng(0).uniformArray(2 * 5 * 7 * 3, -1, 1), [2, 5, 7, 3]);
    const z = a.encode(x, { sample: new Rng(1) });
    const y = a.decode(z);
    expect(z).not.toBe(x);
    expect(y.shape).toEqual([2, 5, 7, 3]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    x.dispose();
    expect(y.dataSync().length).toBe(2 * 5 * 7 * 3); // still alive after the input is gone
    tf.dispose([z, y]);
  });

  it('refuses wrong channels and ranks, and bad channel counts', () => {
    const a = identityAdapter(1);
    expect(() => a.encode(tf.zeros([1, 4, 4, 3]) as tf.Tensor4D)).toThrow(LatentInputError);
    expect(() => a.decode(tf.zeros([4, 4, 1]) as unknown as tf.Tensor4D)).toThrow(/rank 4/);
    expect(() => identityAdapter(0)).toThrow(/channels must be a positive integer/);
    expect(() => a.latentShape(0)).toThrow(/height must be a positive integer/);
  });
});

describe('latent normalisation', () => {
  const z = () => tf.tensor4d(new Rng(2).normalArray(2 * 3 * 3 * 4, 1, 3), [2, 3, 3, 4]);

  it('scale-shift is (z - shift) * scale; per-channel is (z - mean[c]) / std[c]; both invert', () => {
    const x = z();
    const ss = normaliseLatents(x, { kind: 'scale-shift', scale: 0.18215, shift: 0.5 });
    expect(maxAbsDiff(ss.dataSync(), Float32Array.from(x.dataSync(), (v) => (v - 0.5) * 0.18215))).toBeLessThan(1e-6);
    const pc = { kind: 'per-channel' as const, mean: [1, -2, 0, 3], std: [2, 0.5, 1, 4] };
    const n = normaliseLatents(x, pc);
    expect(maxAbsDiff(n.dataSync(), Float32Array.from(x.dataSync(), (v, i) => (v - pc.mean[i % 4]) / pc.std[i % 4]))).toBeLessThan(1e-5);
    const back = denormaliseLatents(n, pc);
    expect(maxAbsDiff(back.dataSync(), x.dataSync())).toBeLessThan(1e-5);
    expect(() => normaliseLatents(x, { kind: 'per-channel', mean: [0, 0], std: [1, 1] })).toThrow(/2 channels but the latents have 4/);
    tf.dispose([x, ss, n, back]);
  });

  it('sanitise: NaN -> 0, +-Infinity and large values clipped', () => {
    const x = tf.tensor4d([NaN, Infinity, -Infinity, 1e9, -3, 2], [1, 1, 6, 1]);
    const s = sanitiseLatents(x, 5);
    expect(Array.from(s.dataSync())).toEqual([0, 5, -5, 5, -3, 2]);
    tf.dispose([x, s]);
  });

  it('setNormalisation validates and names the field', () => {
    const vae = new AutoencoderKL({ blockOutChannels: [4], layersPerBlock: 1, normNumGroups: 2, latentChannels: 2 });
    expect(() => vae.setNormalisation({ kind: 'per-channel', mean: [0, 0], std: [1, 0] })).toThrow(/std\.1: must be > 0/);
    expect(() => vae.setNormalisation({ kind: 'per-channel', mean: [0, 0], std: [1] })).toThrow(/std: must have as many entries as mean/);
    expect(() => vae.setNormalisation({ kind: 'scale-shift', scale: 0 })).toThrow(VaeConfigError);
    expect(() => vae.setNormalisation({ kind: 'per-channel', mean: [0, 0, 0], std: [1, 1, 1] })).toThrow(/3 channels, the autoencoder has 2/);
    vae.setNormalisation({ kind: 'scale-shift', scale: 2 });
    expect(vae.normalisation).toEqual({ kind: 'scale-shift', scale: 2, shift: 0 });
    vae.dispose();
  });

  it('ChannelMoments streams in float64: uneven chunks give the two-pass mean and std, even with a large offset', () => {
    const rng = new Rng(3);
    const c = 3;
    const values = Float64Array.from({ length: 3 * 1001 }, (_, i) => 1e4 * (i % c) + rng.normal() * (1 + (i % c)));
    const m = new ChannelMoments(c);
    for (const [a, b] of [[0, 300], [300, 303], [303, 3003]]) m.add(values.subarray(a, b));
    for (let ch = 0; ch < c; ch++) {
      const xs = values.filter((_, i) => i % c === ch);
      const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
      const std = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length);
      expect(Math.abs(m.mean[ch] - mean)).toBeLessThan(1e-9);
      expect(Math.abs(m.std()[ch] - std)).toBeLessThan(1e-9);
      expect(m.n[ch]).toBe(1001);
    }
  });
});

describe('batched encode/decode and PSNR', () => {
  it('encodeInBatches / decodeInBatches equal one big call, from tensors, data sets and batch streams, without leaks', async () => {
    const vae = new AutoencoderKL({ inChannels: 1, outChannels: 1, blockOutChannels: [4, 8], layersPerBlock: 1, latentChannels: 2, normNumGroups: 2 }, 5);
    const ds = dataset(10, 8, 1);
    const all = toTensor(ds);
    const whole = vae.encode(all);
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const fromTensor = await encodeInBatches(vae, all, { batchSize: 3, onProgress: (p) => progress.push(p.done) });
    const fromDataset = await encodeInBatches(vae, ds, { batchSize: 4 });
    const fromStream = await encodeInBatches(vae, batches(ds, { batchSize: 4, shuffle: false }));
    expect(progress).toEqual([3, 6, 9, 10]);
    for (const t of [fromTensor, fromDataset, fromStream]) {
      expect(t.shape).toEqual([10, 4, 4, 2]);
      expect(maxAbsDiff(t.dataSync(), whole.dataSync())).toBeLessThan(1e-5);
    }
    const decoded = await decodeInBatches(vae, fromTensor, { batchSize: 4 });
    const wholeDecoded = vae.decode(whole);
    expect(maxAbsDiff(decoded.dataSync(), wholeDecoded.dataSync())).toBeLessThan(1e-5);
    tf.dispose([fromTensor, fromDataset, fromStream, decoded]);
    expect(tf.memory().numTensors).toBe(before + 1);
    // Breaking out of a batch stream early leaves nothing behind either.
    for await (const x of tensorBatches(all, 2)) {
      x.dispose();
      break;
    }
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([all, whole, wholeDecoded]);
    vae.dispose();
  });

  it('reconstructionPsnr: exact for the identity, 10 log10(4 / 0.01) dB for a constant 0.1 error', async () => {
    const ds = dataset(6, 4, 1);
    const id = await reconstructionPsnr(identityAdapter(1), ds);
    expect(id).toEqual({ psnr: MAX_PSNR, mse: 0, count: 6 });
    const id1 = identityAdapter(1);
    const offset: LatentAdapter = { ...id1, decode: (z) => tf.tidy(() => tf.add(z, 0.1)) };
    const x = tf.tensor4d(new Rng(4).uniformArray(5 * 4 * 4, -0.5, 0.5), [5, 4, 4, 1]);
    const q = await reconstructionPsnr(offset, x, { batchSize: 2 });
    expect(q.count).toBe(5);
    expect(q.mse).toBeCloseTo(0.01, 6);
    expect(q.psnr).toBeCloseTo(10 * Math.log10(400), 4);
    x.dispose();
  });
});
