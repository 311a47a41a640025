import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { batches, createLatentDataset, isLatentDataset, type LatentDataset } from '../src';
import { indexedDataset } from './helpers';

beforeAll(() => initBackend({ backend: 'wasm' }));

/** 20 latents of 2x2x4; latent i holds the values i * 100 + p (far outside [-1, 1]). */
function latents(count = 20): LatentDataset {
  const values = Float32Array.from({ length: count * 16 }, (_, j) => Math.floor(j / 16) * 100 + (j % 16) - 3.5);
  return createLatentDataset({
    name: 'test-latents',
    values,
    labels: Int32Array.from({ length: count }, (_, i) => i % 3),
    count,
    height: 2,
    width: 2,
    channels: 4,
    numClasses: 3,
    classNames: ['a', 'b', 'c'],
  });
}

describe('createLatentDataset', () => {
  it('accepts consistent fields and any channel count', () => {
    const d = latents();
    expect(d.channels).toBe(4);
    expect(isLatentDataset(d)).toBe(true);
    expect(isLatentDataset(indexedDataset(4))).toBe(false);
  });

  it('names the field that disagrees', () => {
    const d = latents();
    expect(() => createLatentDataset({ ...d, values: d.values.subarray(1) })).toThrow(/values: has 319 floats/);
    expect(() => createLatentDataset({ ...d, labels: d.labels.subarray(1) })).toThrow(/labels: has 19 entries/);
    expect(() => createLatentDataset({ ...d, labels: Int32Array.from(d.labels, (l, i) => (i === 5 ? 3 : l)) })).toThrow(/labels\.5: 3 is not in \[0, 3\)/);
    expect(() => createLatentDataset({ ...d, classNames: ['a'] })).toThrow(/classNames/);
    expect(() => createLatentDataset({ ...d, values: new Uint8Array(320) as unknown as Float32Array })).toThrow(/values: must be a Float32Array/);
    const bad = d.values.slice();
    bad[7] = Number.NaN;
    expect(() => createLatentDataset({ ...d, values: bad })).toThrow(/values\.7: NaN is not finite/);
  });
});

describe('batches of latents', () => {
  it('copies the float values as they are, matched to their indices and labels', async () => {
    const d = latents();
    const it = batches(d, { batchSize: 6, seed: 2 });
    const { value: b } = await it.next();
    expect(b!.images.shape).toEqual([6, 2, 2, 4]);
    const values = await b!.images.data();
    const labels = await b!.labels.data();
    Array.from(b!.indices).forEach((i, k) => {
      for (let p = 0; p < 16; p++) expect(values[k * 16 + p]).toBe(i * 100 + p - 3.5);
      expect(labels[k]).toBe(i % 3);
    });
    tf.dispose([b!.images, b!.labels]);
    await it.return();
  });

  it('orders latents like images of the same count (the order depends on the seed only)', async () => {
    const order = async (d: Parameters<typeof batches>[0]) => {
      const out: number[] = [];
      for await (const b of batches(d, { batchSize: 7, seed: 9, epochs: 2 })) {
        out.push(...b.indices);
        tf.dispose([b.images, b.labels]);
      }
      return out;
    };
    expect(await order(latents())).toEqual(await order(indexedDataset(20)));
  });
});
