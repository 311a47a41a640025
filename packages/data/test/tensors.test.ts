import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createImageDataset,
  datasetFromTensor,
  downsampleArea,
  fromTensor,
  fromTensorSync,
  labelsToTensor,
  pyramid,
  pyramidResolutions,
  toTensor,
  upsample,
} from '../src';

beforeAll(() => initBackend({ backend: 'wasm' }));

/** Runs `fn` and checks that it leaves no tensor behind once its outputs are disposed. */
async function noLeak(fn: () => Promise<void> | void): Promise<void> {
  const before = tf.memory().numTensors;
  await fn();
  expect(tf.memory().numTensors).toBe(before);
}

const all256 = createImageDataset({
  name: 'bytes',
  images: Uint8Array.from({ length: 256 }, (_, i) => i),
  labels: Int32Array.from([0, 1, 2, 3]),
  count: 4,
  height: 8,
  width: 8,
  channels: 1,
  numClasses: 4,
  classNames: ['a', 'b', 'c', 'd'],
});

describe('toTensor / fromTensor', () => {
  it('maps 0..255 to [-1, 1] and back exactly', async () => {
    await noLeak(async () => {
      const x = toTensor(all256);
      expect(x.shape).toEqual([4, 8, 8, 1]);
      expect(x.dtype).toBe('float32');
      const v = x.dataSync();
      expect([v[0], v[255]]).toEqual([-1, 1]);
      expect(v[128]).toBeCloseTo(128 / 127.5 - 1, 7);
      expect(Array.from(await fromTensor(x))).toEqual(Array.from(all256.images));
      expect(Array.from(fromTensorSync(x))).toEqual(Array.from(all256.images));
      x.dispose();
    });
  });

  it('selects indices and clips out-of-range values', async () => {
    await noLeak(async () => {
      const x = toTensor(all256, [3, 1]);
      expect(Array.from((await x.data()).slice(0, 2))).toEqual([Math.fround(192 / 127.5 - 1), Math.fround(193 / 127.5 - 1)]);
      const labels = labelsToTensor(all256, [3, 1]);
      expect(labels.dtype).toBe('int32');
      expect(Array.from(await labels.data())).toEqual([3, 1]);
      const wild = tf.tensor3d([-3, -1, 0, 1, 7, NaN], [1, 6, 1]);
      expect(Array.from(await fromTensor(wild))).toEqual([0, 0, 128, 255, 255, 0]);
      tf.dispose([x, labels, wild]);
    });
    expect(() => toTensor(all256, [4])).toThrow('indices.0: 4 is not an image index of bytes (count 4)');
  });

  it('wraps a tensor as a data set', async () => {
    await noLeak(async () => {
      const x = toTensor(all256);
      const ds = await datasetFromTensor(x, { labels: [0, 1, 1, 0], classNames: ['x', 'y'] });
      expect(Array.from(ds.images)).toEqual(Array.from(all256.images));
      expect([ds.count, ds.height, ds.numClasses]).toEqual([4, 8, 2]);
      await expect(datasetFromTensor(x, { labels: [0, 5, 0, 0], classNames: ['x', 'y'] })).rejects.toThrow(
        'labels.1: 5 is not in [0, 2)',
      );
      x.dispose();
    });
  });
});

describe('resolution pyramids', () => {
  // A 1x4x4x2 image with distinct values per pixel and channel.
  const values = Array.from({ length: 32 }, (_, i) => (i * 7) % 19);
  const at = (y: number, x: number, c: number) => values[(y * 4 + x) * 2 + c];

  it('area-downsamples to the exact block means', async () => {
    await noLeak(async () => {
      const x = tf.tensor4d(values, [1, 4, 4, 2]);
      const half = downsampleArea(x, 2);
      const expected: number[] = [];
      for (let by = 0; by < 2; by++) {
        for (let bx = 0; bx < 2; bx++) {
          for (let c = 0; c < 2; c++) {
            let s = 0;
            for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) s += at(2 * by + dy, 2 * bx + dx, c);
            expected.push(s / 4);
          }
        }
      }
      expect(half.shape).toEqual([1, 2, 2, 2]);
      const got = await half.data();
      expected.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 5));
      const one = downsampleArea(x, { size: 1 });
      const means = [0, 1].map((c) => values.filter((_, i) => i % 2 === c).reduce((a, b) => a + b, 0) / 16);
      (await one.data()).forEach((v, c) => expect(v).toBeCloseTo(means[c], 5));
      const rect = downsampleArea(x, { size: [2, 1] });
      expect(rect.shape).toEqual([1, 2, 1, 2]);
      tf.dispose([x, half, one, rect]);
    });
  });

  it('nearest upsampling then area downsampling is the identity', async () => {
    await noLeak(async () => {
      const x = tf.tensor4d(values, [1, 4, 4, 2]);
      for (const f of [2, 4]) {
        const up = upsample(x, 4 * f, 'nearest');
        expect(up.shape).toEqual([1, 4 * f, 4 * f, 2]);
        // Pixel (y, x) becomes the f x f block starting at (f y, f x).
        const u = await up.data();
        expect(u[((f * 2 + f - 1) * 4 * f + f * 3) * 2 + 1]).toBe(at(2, 3, 1));
        const back = downsampleArea(up, f);
        expect(Array.from(await back.data())).toEqual(values);
        tf.dispose([up, back]);
      }
      x.dispose();
    });
  });

  it('bilinear upsampling uses half-pixel centres', async () => {
    await noLeak(async () => {
      // 1x2 row [0, 4] -> 1x4: sources -0.25, 0.25, 0.75, 1.25 -> 0, 1, 3, 4.
      const row = tf.tensor4d([0, 4], [1, 1, 2, 1]);
      const up = upsample(row, [1, 4], 'bilinear');
      expect(Array.from(await up.data())).toEqual([0, 1, 3, 4]);
      tf.dispose([row, up]);
    });
  });

  it('area(bilinear up x2) is the [1/8, 3/4, 1/8] filter: constants and interior ramps exact, mean kept', async () => {
    await noLeak(async () => {
      const n = 8;
      // Ramp in x plus a constant: f(y, x) = 3 x + 1.
      const ramp = Array.from({ length: n * n }, (_, i) => 3 * (i % n) + 1);
      const x = tf.tensor4d(ramp, [1, n, n, 1]);
      const up = upsample(x, 2 * n, 'bilinear');
      const back = downsampleArea(up, 2);
      const b = await back.data();
      for (let y = 0; y < n; y++) {
        for (let xx = 1; xx < n - 1; xx++) expect(b[y * n + xx]).toBeCloseTo(ramp[y * n + xx], 4);
        // Border columns: 7/8 of the edge pixel + 1/8 of its neighbour.
        expect(b[y * n]).toBeCloseTo((7 / 8) * 1 + (1 / 8) * 4, 4);
      }
      const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
      expect(mean(b)).toBeCloseTo(mean(ramp), 4);
      // A random image keeps its mean too.
      const [before, after] = tf.tidy(() => {
        const noise = tf.randomUniform([2, n, n, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
        const noiseBack = downsampleArea(upsample(noise, 2 * n, 'bilinear'), 2);
        return [noise.mean().dataSync()[0], noiseBack.mean().dataSync()[0]];
      });
      expect(after).toBeCloseTo(before, 5);
      tf.dispose([x, up, back]);
    });
  });

  it('builds a pyramid of area means in the order asked', async () => {
    await noLeak(async () => {
      const x = tf.tensor4d(Array.from({ length: 64 }, (_, i) => i), [1, 8, 8, 1]);
      const levels = pyramid(x, pyramidResolutions(8, 3));
      expect(levels.map((l) => l.shape[1])).toEqual([2, 4, 8]);
      expect(Array.from(await levels[2].data())).toEqual(Array.from(await x.data()));
      // Top-left 4x4 block of i = 8 y + x: mean of x 0..3 and y 0..3 = 8 * 1.5 + 1.5.
      expect((await levels[0].data())[0]).toBeCloseTo(13.5, 5);
      // Chained halving gives the same level.
      const chained = downsampleArea(levels[1], 2);
      expect(Array.from(await chained.data())).toEqual(Array.from(await levels[0].data()));
      tf.dispose([x, chained, ...levels]);
    });
  });

  it('explains bad shapes and factors', () => {
    const x = tf.zeros([1, 6, 6, 1]) as tf.Tensor4D;
    expect(() => downsampleArea(x, 4)).toThrow('downsampleArea: factor 4 does not divide the 6x6 input');
    expect(() => downsampleArea(x, 1.5)).toThrow('factor must be an integer >= 1, got 1.5');
    expect(() => downsampleArea(x, { size: 4 })).toThrow('target 4x4 must divide the 6x6 input into whole blocks');
    expect(() => upsample(x, 3)).toThrow('upsample: target 3x3 must be whole numbers no smaller than the 6x6 input');
    expect(() => pyramid(x, [3, 4])).toThrow('pyramid: resolution 4 does not divide the input size 6');
    expect(() => downsampleArea(tf.zeros([6, 6]) as unknown as tf.Tensor4D, 2)).toThrow(
      'downsampleArea: expected an NHWC (rank 4) tensor, got shape [6,6]',
    );
    expect(() => pyramidResolutions(12, 4)).toThrow('12 cannot be halved 3 times');
    tf.dispose(x);
  });
});
