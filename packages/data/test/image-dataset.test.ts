import { describe, expect, it } from 'vitest';
import { classCounts, createImageDataset, limitIndices, selectSamples, type ImageDataset } from '../src';
import { indexedDataset } from './helpers';

const fields = (over: Partial<ImageDataset>): ImageDataset => ({
  name: 'x',
  images: new Uint8Array(8),
  labels: new Int32Array([0, 1]),
  count: 2,
  height: 2,
  width: 2,
  channels: 1,
  numClasses: 2,
  classNames: ['a', 'b'],
  ...over,
});

describe('ImageDataset', () => {
  it('checks that its fields agree, naming the one that does not', () => {
    expect(createImageDataset(fields({})).count).toBe(2);
    expect(() => createImageDataset(fields({ images: new Uint8Array(7) }))).toThrow(
      'Invalid ImageDataset: images: has 7 bytes, count x height x width x channels = 8',
    );
    expect(() => createImageDataset(fields({ labels: new Int32Array([0]) }))).toThrow('labels: has 1 entries, count = 2');
    expect(() => createImageDataset(fields({ labels: new Int32Array([0, 2]) }))).toThrow('labels.1: 2 is not in [0, 2)');
    expect(() => createImageDataset(fields({ classNames: ['a'] }))).toThrow('classNames: has 1 names, numClasses = 2');
    expect(() => createImageDataset(fields({ channels: 4 }))).toThrow('channels: must be 1 or 3');
    expect(() => createImageDataset(fields({ images: [0] as unknown as Uint8Array }))).toThrow('images: must be a Uint8Array');
  });

  it('selects samples by index and counts classes', () => {
    const ds = indexedDataset(10);
    const sub = selectSamples(ds, [9, 0, 4]);
    expect(Array.from(sub.images)).toEqual([9, 9, 9, 9, 0, 0, 0, 0, 4, 4, 4, 4]);
    expect(Array.from(sub.labels)).toEqual([0, 0, 1]);
    expect(classCounts(ds)).toEqual([4, 3, 3]);
    expect(() => selectSamples(ds, [10])).toThrow('indices.0: 10 is not an image index of indexed (count 10)');
  });

  it('limits to a seeded, sorted, nested subset', () => {
    const small = Array.from(limitIndices(100, 10, 7));
    const large = Array.from(limitIndices(100, 30, 7));
    expect(small).toEqual([...small].sort((a, b) => a - b));
    expect(new Set(small).size).toBe(10);
    for (const i of small) expect(large).toContain(i);
    expect(Array.from(limitIndices(100, 10, 8))).not.toEqual(small);
    expect(Array.from(limitIndices(5, 10, 7))).toEqual([0, 1, 2, 3, 4]);
  });
});
