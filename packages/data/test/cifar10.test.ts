import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CIFAR10_CLASSES, CIFAR10_FILES, CIFAR10_RECORD_BYTES, DatasetError, loadCifar10 } from '../src';
import { tempDir } from './helpers';

/** Pixel value of channel ch at pixel p of record r of file f: distinct enough to catch mix-ups. */
const pixel = (f: number, r: number, ch: number, p: number) => (f * 50 + r * 7 + ch * 85 + p) % 256;

/** `records` records in CIFAR-10's binary layout: label byte, then R, G and B planes. */
function batchFile(f: number, labels: number[]): Buffer {
  const out = Buffer.alloc(labels.length * CIFAR10_RECORD_BYTES);
  labels.forEach((label, r) => {
    const rec = r * CIFAR10_RECORD_BYTES;
    out[rec] = label;
    for (let ch = 0; ch < 3; ch++) for (let p = 0; p < 1024; p++) out[rec + 1 + ch * 1024 + p] = pixel(f, r, ch, p);
  });
  return out;
}

const { dir: root, cleanup } = tempDir('cifar');
afterAll(cleanup);

/** A directory with all six batches (train files 3 records each, test 2). */
function fullDir(name: string, withMeta?: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  CIFAR10_FILES.train.forEach((file, f) => writeFileSync(join(dir, file), batchFile(f, [f, 9, (f * 3) % 10])));
  writeFileSync(join(dir, 'test_batch.bin'), batchFile(5, [4, 2]));
  if (withMeta !== undefined) writeFileSync(join(dir, 'batches.meta.txt'), withMeta);
  return dir;
}

describe('CIFAR-10 binary batches', () => {
  it('reads records to HWC RGB with their labels, per split', async () => {
    const dir = fullDir('ok');
    const train = await loadCifar10(dir);
    const test = await loadCifar10(dir, { split: 'test' });
    const all = await loadCifar10(dir, { split: 'all' });
    expect([train.count, test.count, all.count]).toEqual([15, 2, 17]);
    expect(Array.from(train.labels)).toEqual([0, 9, 0, 1, 9, 3, 2, 9, 6, 3, 9, 9, 4, 9, 2]);
    expect(Array.from(test.labels)).toEqual([4, 2]);
    expect([train.height, train.width, train.channels, train.numClasses]).toEqual([32, 32, 3, 10]);
    expect(train.classNames).toEqual([...CIFAR10_CLASSES]);
    // Record 1 of data_batch_3 is image 7; its pixel (y = 4, x = 5) is p = 133.
    const p = 4 * 32 + 5;
    const at = (7 * 1024 + p) * 3;
    expect(Array.from(train.images.subarray(at, at + 3))).toEqual([0, 1, 2].map((ch) => pixel(2, 1, ch, p)));
    // Test records come after the train records in 'all'.
    expect(Buffer.from(all.images.subarray(15 * 3072)).equals(Buffer.from(test.images))).toBe(true);
  });

  it('takes class names from batches.meta.txt when present', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    const ds = await loadCifar10(fullDir('meta', `${names.join('\n')}\n\n`), { split: 'test' });
    expect(ds.classNames).toEqual(names);
    await expect(loadCifar10(fullDir('meta-bad', 'a\nb\n'), { split: 'test' })).rejects.toThrow(
      /batches\.meta\.txt names 2 classes; CIFAR-10 has 10/,
    );
  });

  it('applies size and channels', async () => {
    const ds = await loadCifar10(fullDir('small'), { split: 'test', size: 16, channels: 1 });
    expect([ds.height, ds.width, ds.channels, ds.images.length]).toEqual([16, 16, 1, 2 * 256]);
  });

  it('names the missing directory', async () => {
    const missing = join(root, 'nope');
    await expect(loadCifar10(missing)).rejects.toThrow(`CIFAR-10 directory not found: ${missing}`);
    await expect(loadCifar10(missing)).rejects.toBeInstanceOf(DatasetError);
  });

  it('names the missing file', async () => {
    const dir = join(root, 'partial');
    mkdirSync(dir);
    writeFileSync(join(dir, 'data_batch_1.bin'), batchFile(0, [1]));
    writeFileSync(join(dir, 'data_batch_2.bin'), batchFile(1, [1]));
    await expect(loadCifar10(dir)).rejects.toThrow(`CIFAR-10 file data_batch_3.bin is missing in ${dir}`);
    await expect(loadCifar10(dir, { split: 'test' })).rejects.toThrow('CIFAR-10 file test_batch.bin is missing');
  });

  it('rejects a file whose size is not a multiple of 3073 bytes', async () => {
    const dir = join(root, 'truncated');
    mkdirSync(dir);
    writeFileSync(join(dir, 'test_batch.bin'), batchFile(0, [1, 2]).subarray(0, 5000));
    await expect(loadCifar10(dir, { split: 'test' })).rejects.toThrow(
      `CIFAR-10 file ${join(dir, 'test_batch.bin')} has 5000 bytes, not a positive multiple of 3073`,
    );
  });

  it('rejects a label >= 10, naming file and record', async () => {
    const dir = join(root, 'badlabel');
    mkdirSync(dir);
    writeFileSync(join(dir, 'test_batch.bin'), batchFile(0, [1, 2, 10]));
    await expect(loadCifar10(dir, { split: 'test' })).rejects.toThrow(
      `CIFAR-10 file ${join(dir, 'test_batch.bin')}: record 2 has label 10, not in 0..9`,
    );
  });
});
