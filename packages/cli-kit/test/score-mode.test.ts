import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@lowdiff/backend';
import { imagesToFloat, loadDataset, selectSamples } from '@lowdiff/data';
import { loadShippedClassifier, type ClassifierExtractor } from '@lowdiff/metrics';
import { referenceFeatures, score, scoredImages, writeSamples, type Generated, type Reference } from '../src';

/** What a user gets, by the formula the PNG writer documents: round((v + 1) * 127.5), clipped to 0..255 (NaN: 0), read back as v / 127.5 - 1. */
const asSavedByHand = (values: ArrayLike<number>) =>
  Float32Array.from(values, (v) => {
    const b = Math.round((v + 1) * 127.5);
    return (Number.isNaN(b) ? 0 : Math.min(255, Math.max(0, b))) / 127.5 - 1;
  });

const generated = (images: Float32Array, count: number, r: number): Generated => ({
  count,
  resolution: r,
  channels: 1,
  images,
  firstStage: images,
  firstResolution: r,
  strip: [{ resolution: r, images: images.subarray(0, Math.min(count, 2) * r * r) }],
  labels: [],
  nfe: 1,
  effectiveNfe: 1,
  stages: [],
  wallMs: 1,
});

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'score-mode-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('scoring the images a user gets', () => {
  it('png mode equals decoding the PNGs that sample writes (clipped, 8-bit), raw mode is the floats', async () => {
    const r = 4;
    const count = 3;
    // Out of range both ways, NaN, values between the 8-bit levels, and the ends of the range.
    const images = Float32Array.from({ length: count * r * r }, (_, i) => Math.sin(i * 1.7) * 1.6 + (i % 5) * 0.003);
    images.set([1.7, -3, Number.NaN, 0.5, 1, -1, 0.001, -0.999]);
    const shape = [count, r, r, 1] as const;
    const scored = scoredImages(images, shape, 'png');
    const written = await writeSamples(dir, generated(images, count, r), true);
    for (let k = 0; k < count; k++) {
      const png = PNG.sync.read(await readFile(join(written.images!, `${String(k).padStart(5, '0')}.png`)));
      expect([png.width, png.height]).toEqual([r, r]);
      // pngjs hands back RGBA; the grayscale PNG repeats its byte in R, G and B.
      const bytes = Uint8Array.from({ length: r * r }, (_, p) => png.data[4 * p]);
      const decoded = Float32Array.from(bytes, (b) => b / 127.5 - 1);
      expect(Array.from(scored.subarray(k * r * r, (k + 1) * r * r))).toEqual(Array.from(decoded));
    }
    expect(Array.from(scored)).toEqual(Array.from(asSavedByHand(images)));
    expect(Array.from(scored.subarray(0, 8))).toEqual([1, -1, -1, 191 / 127.5 - 1, 1, -1, 128 / 127.5 - 1, -1].map(Math.fround));
    expect(Math.min(...scored)).toBe(-1);
    expect(Math.max(...scored)).toBe(1);
    expect(scoredImages(images, shape, 'raw')).toBe(images);
  });

  describe('eval and bench scores', () => {
    let extractor: ClassifierExtractor;
    let ref: Reference;
    let real: Float32Array;
    const n = 120;
    beforeAll(async () => {
      ({ extractor } = await loadShippedClassifier('classifier-fmnist'));
      const test = await loadDataset('fashion-mnist', { split: 'test', size: 32 });
      ref = await referenceFeatures(extractor, selectSamples(test, Array.from({ length: 400 }, (_, i) => i)));
      real = imagesToFloat(test, Array.from({ length: n }, (_, i) => 1000 + i));
    });
    afterAll(() => extractor.dispose());

    it('default (png) scores the clipped 8-bit images, and differs from raw where values leave [-1, 1]', async () => {
      // Real images pushed out of range (over-saturated, as guided samples are): about a third
      // of the pixels lie outside [-1, 1] and none on the 8-bit grid.
      const images = real.map((v) => v * 1.6 + 0.35 + 0.001);
      expect(images.filter((v) => v > 1 || v < -1).length).toBeGreaterThan(images.length / 5);
      const numTensors = tf.memory().numTensors;
      const png = await score(generated(images, n, 32), ref);
      const raw = await score(generated(images, n, 32), ref, { scoredAs: 'raw' });
      const byHand = await score(generated(asSavedByHand(images), n, 32), ref, { scoredAs: 'raw' });
      expect(tf.memory().numTensors).toBe(numTensors);
      expect([png.scoredAs, raw.scoredAs]).toEqual(['png', 'raw']);
      // Ground truth: the default is exactly the raw score of the images as saved.
      for (const key of ['fid', 'kid', 'inceptionScore', 'precision', 'recall'] as const) expect(png[key], key).toBe(byHand[key]);
      expect(Math.abs(png.fid - raw.fid) / raw.fid).toBeGreaterThan(0.02);
    });

    it('images already on the 8-bit grid in [-1, 1] score the same either way', async () => {
      const png = await score(generated(real, n, 32), ref);
      const raw = await score(generated(real, n, 32), ref, { scoredAs: 'raw' });
      expect(png.fid).toBe(raw.fid);
      expect(png.kid).toBe(raw.kid);
    });
  });
});
