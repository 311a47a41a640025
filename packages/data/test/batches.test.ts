import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { batches, epochPermutation, stepsPerEpoch, type Batch, type BatchOptions } from '../src';
import { indexedDataset } from './helpers';

beforeAll(() => initBackend({ backend: 'wasm' }));

const ds = indexedDataset(50);

/** Runs the stream to its end (or `max` batches), returning each batch's metadata; disposes tensors. */
async function collect(options: BatchOptions, max = Infinity) {
  const out: Array<Pick<Batch, 'epoch' | 'step' | 'globalStep' | 'next'> & { indices: number[] }> = [];
  for await (const b of batches(ds, options)) {
    out.push({ indices: Array.from(b.indices), epoch: b.epoch, step: b.step, globalStep: b.globalStep, next: b.next });
    tf.dispose([b.images, b.labels]);
    if (out.length >= max) break;
  }
  return out;
}

describe('batches', () => {
  it('delivers images and labels that match their indices', async () => {
    const it = batches(ds, { batchSize: 8, seed: 3 });
    const { value: b } = await it.next();
    expect(b!.images.shape).toEqual([8, 2, 2, 1]);
    expect(b!.labels.dtype).toBe('int32');
    const pixels = await b!.images.data();
    const labels = await b!.labels.data();
    Array.from(b!.indices).forEach((i, k) => {
      expect(pixels[4 * k]).toBeCloseTo(i / 127.5 - 1, 6);
      expect(labels[k]).toBe(i % 3);
    });
    tf.dispose([b!.images, b!.labels]);
    await it.return();
  });

  it('orders each epoch by the seed alone: same seed same order, batch size irrelevant', async () => {
    const a = await collect({ batchSize: 7, seed: 11, epochs: 2 });
    const b = await collect({ batchSize: 16, seed: 11, epochs: 2, prefetch: 0 });
    const c = await collect({ batchSize: 7, seed: 12, epochs: 2 });
    const epochOf = (list: typeof a, e: number) => list.filter((x) => x.epoch === e).flatMap((x) => x.indices);
    for (const e of [0, 1]) {
      expect(epochOf(a, e)).toEqual(Array.from(epochPermutation(50, 11, e)));
      expect(epochOf(b, e)).toEqual(epochOf(a, e));
      expect([...epochOf(a, e)].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    }
    expect(epochOf(a, 0)).not.toEqual(epochOf(a, 1));
    expect(epochOf(c, 0)).not.toEqual(epochOf(a, 0));
    expect(Array.from(epochPermutation(50, 11, 1))).toEqual(Array.from(Rng.derive(11, 1).permutation(50)));
    // 50 = 7 * 7 + 1: seven full batches and one of 1 per epoch.
    expect(a.map((x) => x.indices.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 1, 7, 7, 7, 7, 7, 7, 7, 1]);
    expect(a.map((x) => x.globalStep)).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it('drops the short batch with dropLast, and keeps data-set order without shuffle', async () => {
    const dropped = await collect({ batchSize: 7, dropLast: true, epochs: 2 });
    expect(dropped.length).toBe(14);
    expect(dropped.every((x) => x.indices.length === 7)).toBe(true);
    expect(stepsPerEpoch(50, 7, true)).toBe(7);
    const ordered = await collect({ batchSize: 20, shuffle: false });
    expect(ordered.flatMap((x) => x.indices)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('resumes exactly from a saved cursor, across an epoch boundary', async () => {
    const options = { batchSize: 8, seed: 5, epochs: 3, prefetch: 3 } as const;
    const full = await collect(options);
    for (const k of [2, 6, 7, 13]) {
      const saved = JSON.parse(JSON.stringify(full[k].next));
      const rest = await collect({ ...options, start: saved });
      expect(rest).toEqual(full.slice(k + 1));
    }
    // state() is the cursor of the next batch.
    const it = batches(ds, options);
    for (let i = 0; i < 7; i++) {
      const { value } = await it.next();
      tf.dispose([value!.images, value!.labels]);
    }
    expect(it.state()).toEqual({ epoch: 1, step: 0 });
    expect(it.stepsPerEpoch).toBe(7);
    await it.return();
  });

  it('streams forever with epochs: infinite', async () => {
    const got = await collect({ batchSize: 25, epochs: 'infinite', seed: 2 }, 9);
    expect(got.map((x) => x.epoch)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4]);
    expect(got[8].indices).toEqual(Array.from(epochPermutation(50, 2, 4).slice(0, 25)));
  });

  it('prepares the next batches while the consumer awaits, without creating tensors', async () => {
    // Count batch preparations through reads of `labels` (one per prepared batch).
    let prepared = 0;
    const watched = new Proxy(ds, {
      get: (target, key, receiver) => {
        if (key === 'labels') prepared++;
        return Reflect.get(target, key, receiver);
      },
    });
    const tensors = tf.memory().numTensors;
    const it = batches(watched, { batchSize: 5, prefetch: 3 });
    const { value } = await it.next();
    // Only the batch handed out is prepared before next() resolves; the rest waits for the loop.
    expect(prepared).toBe(1);
    // The consumer yields to the event loop until the prefetch settles. No timer and no
    // assumption about how many turns that takes (it must happen within a bounded number, and
    // the count must then stay at 1 + prefetch, never more).
    let turns = 0;
    while (prepared < 4 && turns < 100) {
      await new Promise((r) => setImmediate(r));
      turns++;
    }
    for (let extra = 0; extra < 5; extra++) await new Promise((r) => setImmediate(r));
    expect(prepared).toBe(4);
    expect(tf.memory().numTensors).toBe(tensors + 2);
    tf.dispose([value!.images, value!.labels]);
    await it.return();
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('leaves no tensors behind when the consumer disposes, also when it stops early', async () => {
    const before = tf.memory().numTensors;
    await collect({ batchSize: 8, epochs: 2, prefetch: 4 });
    await collect({ batchSize: 8, epochs: 'infinite', prefetch: 8 }, 3);
    await new Promise((r) => setImmediate(r));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('explains bad options', () => {
    expect(() => batches(ds, { batchSize: 0 })).toThrow('Invalid batch options: batchSize: must be >= 1');
    expect(() => batches(ds, { batchSize: 8, epochs: 0 })).toThrow("epochs: must be >= 1 (or 'infinite')");
    expect(() => batches(ds, { batchSize: 8, prefetch: -1 })).toThrow('prefetch: must be >= 0');
    expect(() => batches(ds, { batchSize: 8, start: { epoch: 0, step: 7 } })).toThrow(
      'start.step: 7 is past the last batch of an epoch (7 batches of 8 from 50 images)',
    );
    expect(() => batches(ds, { batchSize: 64, dropLast: true })).toThrow(
      'no batches: 50 images make no full batch of 64 (dropLast is on); use a batch size of at most 50 (--batch-size 50)',
    );
    expect(() => batches(ds, { batchSize: 8, shufle: true } as never)).toThrow(/shufle/);
  });
});
