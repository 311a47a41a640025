import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLatentDataset } from '@lowdiff/data';
import { writeSafetensorsFile } from '@lowdiff/model';
import { describe, expect, it } from 'vitest';
import { loadLatentCache, saveLatentCache } from '../src/latent-cache';

describe('latent cache', () => {
  it('round-trips latents, labels, classes and provenance', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cache-'));
    const data = createLatentDataset({
      name: 'toy@kl-autoencoder',
      values: Float32Array.from({ length: 3 * 2 * 2 * 4 }, (_, i) => i * 0.25 - 3),
      labels: Int32Array.from([0, 1, 1]),
      count: 3,
      height: 2,
      width: 2,
      channels: 4,
      numClasses: 2,
      classNames: ['a', 'b'],
    });
    const path = join(dir, 'latents.safetensors');
    await saveLatentCache(path, data, { adapter: 'kl-autoencoder', vae: 'runs/vae/vae.safetensors', data: 'toy/train', imageSize: 8 });
    const { data: back, info } = await loadLatentCache(path);
    expect(back).toMatchObject({ name: data.name, count: 3, height: 2, width: 2, channels: 4, numClasses: 2, classNames: ['a', 'b'] });
    expect(Array.from(back.values)).toEqual(Array.from(data.values));
    expect(Array.from(back.labels)).toEqual([0, 1, 1]);
    expect(info).toEqual({ adapter: 'kl-autoencoder', vae: 'runs/vae/vae.safetensors', data: 'toy/train', imageSize: 8 });
  });

  it('rejects other files with a message naming the flag and the problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cache-'));
    await expect(loadLatentCache(join(dir, 'none.safetensors'))).rejects.toThrow(/--latents: no such file/);
    const other = join(dir, 'other.safetensors');
    await writeSafetensorsFile(other, { w: { shape: [2], data: new Float32Array(2) } }, { format: 'something-else' });
    await expect(loadLatentCache(other)).rejects.toThrow(/not a latent cache/);
    const garbage = join(dir, 'garbage.safetensors');
    await writeFile(garbage, Buffer.alloc(40, 9));
    await expect(loadLatentCache(garbage)).rejects.toThrow(/--latents: .*garbage/);
  });
});
