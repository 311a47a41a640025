import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classCounts, FASHION_MNIST_CLASSES, loadFashionMnist, type ImageDataset } from '../src';

const pkg = dirname(createRequire(import.meta.url).resolve('fashion-mnist/package.json'));
const rawClass = (c: number): number[][] =>
  JSON.parse(readFileSync(join(pkg, 'src', 'clothes', `${c}.json`), 'utf8')).data.filter((r: number[]) => r.length > 0);

function range(d: ImageDataset): [number, number] {
  let min = 255;
  let max = 0;
  for (const v of d.images) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

describe('Fashion-MNIST', () => {
  it('splits 60,000 / 10,000 with 6,000 / 1,000 per class, 32x32 by default', async () => {
    const train = await loadFashionMnist();
    const test = await loadFashionMnist({ split: 'test' });
    const all = await loadFashionMnist({ split: 'all', size: 28 });
    expect([train.count, test.count, all.count]).toEqual([60_000, 10_000, 70_000]);
    expect(classCounts(train)).toEqual(new Array(10).fill(6000));
    expect(classCounts(test)).toEqual(new Array(10).fill(1000));
    expect(classCounts(all)).toEqual(new Array(10).fill(7000));
    expect([train.height, train.width, train.channels, train.images.length]).toEqual([32, 32, 1, 60_000 * 1024]);
    expect([all.height, all.images.length]).toEqual([28, 70_000 * 784]);
    expect(train.classNames).toEqual([...FASHION_MNIST_CLASSES]);
    expect(train.name).toBe('fashion-mnist/train');
    // Full range of byte values actually used, and labels grouped by class.
    expect(range(all)).toEqual([0, 255]);
    expect(train.labels[0]).toBe(0);
    expect(train.labels[59_999]).toBe(9);
    // How long the first load takes is measured by bench/load-bench.ts, not asserted here.
  });

  it('takes test = first 1,000 and train = last 6,000 of each class file, pixels unchanged', async () => {
    const test = await loadFashionMnist({ split: 'test', size: 28 });
    const train = await loadFashionMnist({ split: 'train', size: 28 });
    for (const c of [0, 7]) {
      const rows = rawClass(c);
      expect(rows.length).toBe(7000);
      expect(Array.from(test.images.subarray(c * 1000 * 784, (c * 1000 + 1) * 784))).toEqual(rows[0]);
      expect(Array.from(test.images.subarray((c * 1000 + 999) * 784, (c * 1000 + 1000) * 784))).toEqual(rows[999]);
      expect(Array.from(train.images.subarray(c * 6000 * 784, (c * 6000 + 1) * 784))).toEqual(rows[1000]);
      expect(Array.from(train.images.subarray((c * 6000 + 5999) * 784, (c * 6000 + 6000) * 784))).toEqual(rows[6999]);
    }
  });

  it('pads 28x28 to 32x32 with 2 pixels of black on every side, the image in the centre', async () => {
    const small = await loadFashionMnist({ split: 'test', size: 28, limit: 20 });
    const padded = await loadFashionMnist({ split: 'test', limit: 20 });
    expect(Array.from(padded.labels)).toEqual(Array.from(small.labels));
    let mismatches = 0;
    let inkInside = 0;
    for (let n = 0; n < 20; n++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          const v = padded.images[n * 1024 + y * 32 + x];
          const inside = y >= 2 && y < 30 && x >= 2 && x < 30;
          if (v !== (inside ? small.images[n * 784 + (y - 2) * 28 + (x - 2)] : 0)) mismatches++;
          if (inside && v > 0) inkInside++;
        }
      }
    }
    expect(mismatches).toBe(0);
    expect(inkInside).toBeGreaterThan(20 * 100);
  });

  it('limit keeps a seeded, nested subset in data-set order', async () => {
    const a = await loadFashionMnist({ split: 'test', limit: 500, limitSeed: 3 });
    const b = await loadFashionMnist({ split: 'test', limit: 500, limitSeed: 3 });
    const c = await loadFashionMnist({ split: 'test', limit: 500, limitSeed: 4 });
    expect(a.count).toBe(500);
    expect(Buffer.from(a.images).equals(Buffer.from(b.images))).toBe(true);
    expect(Buffer.from(a.images).equals(Buffer.from(c.images))).toBe(false);
    // Roughly balanced, and labels non-decreasing (data-set order kept).
    for (const n of classCounts(a)) expect(n).toBeGreaterThan(20);
    for (let i = 1; i < a.count; i++) expect(a.labels[i]).toBeGreaterThanOrEqual(a.labels[i - 1]);
  });

  it('resizes on request, and refuses to pad to a smaller size', async () => {
    const r = await loadFashionMnist({ split: 'test', size: 14, fit: 'resize', limit: 3 });
    expect([r.height, r.width, r.images.length]).toEqual([14, 14, 3 * 196]);
    await expect(loadFashionMnist({ size: 16 })).rejects.toThrow(
      "fit 'pad' cannot bring 28x28 images to 16x16 without shrinking them",
    );
    await expect(loadFashionMnist({ split: 'validation' as 'train' })).rejects.toThrow(
      /Invalid Fashion-MNIST options: split: /,
    );
    await expect(loadFashionMnist({ limit: 0 })).rejects.toThrow('limit: must be >= 1');
    await expect(loadFashionMnist({ sise: 32 } as never)).rejects.toThrow(/sise/);
  });
});
