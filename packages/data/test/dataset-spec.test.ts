import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataConfigError, formatDatasetSpec, loadDataset, parseDatasetSpec } from '../src';
import { encodePng, solid, tempDir } from './helpers';

const { dir: root, cleanup } = tempDir('spec');
afterAll(cleanup);

describe('dataset specs', () => {
  it('parses the four kinds and formats them back', () => {
    expect(parseDatasetSpec('fashion-mnist')).toEqual({ kind: 'fashion-mnist' });
    expect(parseDatasetSpec('mnist')).toEqual({ kind: 'mnist' });
    expect(parseDatasetSpec('cifar10:data/cifar-10-batches-bin')).toEqual({ kind: 'cifar10', dir: 'data/cifar-10-batches-bin' });
    expect(parseDatasetSpec('folder:C:\\images')).toEqual({ kind: 'folder', dir: 'C:\\images' });
    for (const s of ['mnist', 'folder:/a:b', 'cifar10:x']) expect(formatDatasetSpec(parseDatasetSpec(s))).toBe(s);
    expect(parseDatasetSpec({ kind: 'cifar10', dir: 'x' })).toEqual({ kind: 'cifar10', dir: 'x' });
  });

  it('explains bad specs', () => {
    expect(() => parseDatasetSpec('imagenet')).toThrow(
      "Invalid dataset spec 'imagenet': unknown kind 'imagenet'; expected one of fashion-mnist, mnist, cifar10:<dir>, folder:<dir>",
    );
    expect(() => parseDatasetSpec('cifar10')).toThrow("cifar10 needs a directory: cifar10:<dir>");
    expect(() => parseDatasetSpec('folder:')).toThrow('folder needs a directory');
    expect(() => parseDatasetSpec('mnist:/tmp')).toThrow('mnist takes no directory');
    expect(() => parseDatasetSpec({ kind: 'folder', dir: '' })).toThrow('Invalid dataset spec: dir: must name a directory');
    expect(() => parseDatasetSpec({ kind: 'cifar100' } as never)).toThrow(DataConfigError);
  });

  it('loads what the spec names', async () => {
    const mnist = await loadDataset('mnist', { split: 'test', limit: 10 });
    expect([mnist.name, mnist.count, mnist.height]).toEqual(['mnist/test', 10, 32]);
    mkdirSync(join(root, 'imgs', 'cat'), { recursive: true });
    writeFileSync(join(root, 'imgs', 'cat', 'a.png'), encodePng(solid(4, 4, [1, 2, 3]), 4, 4));
    const folder = await loadDataset(`folder:${join(root, 'imgs')}`, { size: 4 });
    expect([folder.count, folder.classNames]).toEqual([1, ['cat']]);
    await expect(loadDataset('cifar10:' + join(root, 'none'))).rejects.toThrow('CIFAR-10 directory not found');
    await expect(loadDataset('nope')).rejects.toThrow("unknown kind 'nope'");
  });
});
