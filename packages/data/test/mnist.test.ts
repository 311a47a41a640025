import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classCounts, clearDatasetCache, loadMnist, MNIST_CLASSES } from '../src';

const pkg = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
const rawClass = (c: number): number[] => JSON.parse(readFileSync(join(pkg, 'src', 'digits', `${c}.json`), 'utf8')).data;

const PER_CLASS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
const TRAIN = PER_CLASS.map((n) => Math.floor(0.85 * n));

describe('MNIST', () => {
  it('holds 10,000 digits, split per class 85 % train: 8,495 / 1,505', async () => {
    const all = await loadMnist({ split: 'all' });
    const train = await loadMnist({ split: 'train' });
    const test = await loadMnist({ split: 'test' });
    expect(classCounts(all)).toEqual(PER_CLASS);
    expect(classCounts(train)).toEqual(TRAIN);
    expect(classCounts(test)).toEqual(PER_CLASS.map((n, c) => n - TRAIN[c]));
    expect([all.count, train.count, test.count]).toEqual([10_000, 8495, 1505]);
    expect(train.classNames).toEqual([...MNIST_CLASSES]);
    expect([train.height, train.width, train.channels]).toEqual([32, 32, 1]);
  });

  it('turns the package floats back into the original bytes exactly', async () => {
    const all = await loadMnist({ split: 'all', size: 28 });
    const test = await loadMnist({ split: 'test', size: 28 });
    const raw = rawClass(3);
    const offset = PER_CLASS.slice(0, 3).reduce((a, b) => a + b, 0);
    let min = 255;
    let max = 0;
    let worst = 0;
    for (let p = 0; p < raw.length; p++) {
      const byte = all.images[offset * 784 + p];
      worst = Math.max(worst, Math.abs(byte / 255 - raw[p]));
      min = Math.min(min, byte);
      max = Math.max(max, byte);
    }
    // 3-decimal floats of byte / 255: the right byte is the only one within 0.0005.
    expect(worst).toBeLessThanOrEqual(0.0005);
    expect([min, max]).toEqual([0, 255]);
    // The first test image of class 3 is image floor(0.85 * 1032) = 877 of its file.
    const testOffset = PER_CLASS.slice(0, 3).reduce((a, n) => a + n - Math.floor(0.85 * n), 0);
    expect(Array.from(test.images.subarray(testOffset * 784, (testOffset + 1) * 784))).toEqual(
      Array.from(all.images.subarray((offset + 877) * 784, (offset + 878) * 784)),
    );
  });

  it('serves a second load from the per-process cache, without reading the class files again', async () => {
    // Each class file read reports progress; a load served from the cache reads none.
    clearDatasetCache();
    const first: number[] = [];
    await loadMnist({ split: 'test', limit: 1, onProgress: (p) => first.push(p.done) });
    expect(first).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const second: number[] = [];
    const again = await loadMnist({ split: 'test', size: 28, onProgress: (p) => second.push(p.done) });
    expect(second).toEqual([]);
    expect(again.count).toBe(1505);
    // Clearing the cache reads the files again.
    clearDatasetCache();
    const third: number[] = [];
    await loadMnist({ split: 'all', onProgress: (p) => third.push(p.done) });
    expect(third).toHaveLength(10);
  });
});
