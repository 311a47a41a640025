import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataConfigError, DatasetError, decodeImage, loadImageFolder } from '../src';
import { encodeJpeg, encodePng, solid, tempDir } from './helpers';

const { dir: root, cleanup } = tempDir('folder');
afterAll(cleanup);

function folder(name: string, files: Record<string, Buffer | string>): string {
  const dir = join(root, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

const RED: [number, number, number] = [200, 30, 10];
const BLUE: [number, number, number] = [10, 40, 220];

describe('image folder', () => {
  it('labels by sorted subfolder name and reads PNG and JPEG', async () => {
    const dir = folder('classes', {
      'zebra/b.png': encodePng(solid(8, 8, BLUE), 8, 8),
      'zebra/a.jpg': encodeJpeg(solid(8, 8, BLUE), 8, 8),
      'apple/x.png': encodePng(solid(8, 8, RED), 8, 8),
      'apple/notes.txt': 'not an image',
      '.hidden/y.png': encodePng(solid(8, 8, RED), 8, 8),
    });
    const ds = await loadImageFolder(dir, { size: 8 });
    expect(ds.classNames).toEqual(['apple', 'zebra']);
    expect(Array.from(ds.labels)).toEqual([0, 1, 1]);
    expect([ds.count, ds.height, ds.width, ds.channels]).toEqual([3, 8, 8, 3]);
    expect(Array.from(ds.images.subarray(0, 3))).toEqual(RED);
    // zebra/a.jpg (lossy, quality 100) sorts before zebra/b.png.
    const jpg = Array.from(ds.images.subarray(64 * 3, 64 * 3 + 3));
    jpg.forEach((v, i) => expect(Math.abs(v - BLUE[i])).toBeLessThanOrEqual(3));
    expect(Array.from(ds.images.subarray(2 * 64 * 3, 2 * 64 * 3 + 3))).toEqual(BLUE);
    expect(ds.name).toBe('folder:classes/train');
  });

  it('resizes by area, converts to grayscale and centre-crops non-square images', async () => {
    // 4x8 image: left half black, right half white; a 2x2 checker of 2x2 blocks on top.
    const w = 8;
    const h = 4;
    const rgb = new Uint8Array(h * w * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.fill(x < 4 ? 0 : 255, (y * w + x) * 3, (y * w + x + 1) * 3);
    const dir = folder('geometry', { 'one/wide.png': encodePng(rgb, h, w) });
    // crop keeps the centred 4x4 (x = 2..5): two black and two white columns -> 2x2 area means.
    const cropped = await loadImageFolder(dir, { size: 2, channels: 1 });
    expect(Array.from(cropped.images)).toEqual([0, 255, 0, 255]);
    // resize squeezes the whole 4x8 to 2x2: left column black, right white.
    const squeezed = await loadImageFolder(dir, { size: 2, channels: 1, fit: 'resize' });
    expect(Array.from(squeezed.images)).toEqual([0, 255, 0, 255]);
    // 4x8 -> 1x1 by area: the mean, 127.5, rounds to 128.
    const mean = await loadImageFolder(dir, { size: 1, channels: 1, fit: 'resize' });
    expect(Array.from(mean.images)).toEqual([128]);
    // Grayscale uses ITU-R 601 luma.
    const red = folder('luma', { 'r/red.png': encodePng(solid(2, 2, RED), 2, 2) });
    const gray = await loadImageFolder(red, { size: 2, channels: 1 });
    expect(gray.images[0]).toBe(Math.round((299 * 200 + 587 * 30 + 114 * 10) / 1000));
  });

  it('reads a flat folder as one class named after it, and drops alpha', async () => {
    const alpha = new Uint8Array(4).fill(0);
    const dir = folder('flat', {
      'b.png': encodePng(solid(2, 2, RED), 2, 2, alpha),
      'a.PNG': encodePng(solid(2, 2, BLUE), 2, 2),
    });
    const ds = await loadImageFolder(dir, { size: 2 });
    expect(ds.classNames).toEqual(['flat']);
    expect(Array.from(ds.labels)).toEqual([0, 0]);
    expect(Array.from(ds.images.subarray(0, 3))).toEqual(BLUE);
    expect(Array.from(ds.images.subarray(12, 15))).toEqual(RED);
  });

  it('limit picks a seeded subset of the files', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 10; i++) files[`c/${i}.png`] = encodePng(solid(2, 2, [i * 20, 0, 0]), 2, 2);
    const dir = folder('limited', files);
    const a = await loadImageFolder(dir, { size: 2, limit: 4, limitSeed: 9 });
    const b = await loadImageFolder(dir, { size: 2, limit: 4, limitSeed: 9 });
    expect(a.count).toBe(4);
    expect(Array.from(a.images)).toEqual(Array.from(b.images));
  });

  it('gives a clear error for each bad folder', async () => {
    const missing = join(root, 'missing');
    await expect(loadImageFolder(missing)).rejects.toThrow(`image folder not found: ${missing}`);
    const empty = folder('empty', {});
    await expect(loadImageFolder(empty)).rejects.toThrow(`image folder is empty: ${empty}`);
    const noImages = folder('text-only', { 'readme.txt': 'hi', 'data.csv': '1,2' });
    await expect(loadImageFolder(noImages)).rejects.toThrow(
      `no images in ${noImages}: expected class subfolders or .png/.jpg/.jpeg files, found data.csv, readme.txt`,
    );
    const emptyClasses = folder('empty-classes', { 'a/readme.txt': 'hi', 'b/x.txt': 'x' });
    await expect(loadImageFolder(emptyClasses)).rejects.toThrow(`no images in the class subfolders of ${emptyClasses}`);
    const oneEmpty = folder('one-empty', { 'a/x.png': encodePng(solid(2, 2, RED), 2, 2), 'b/x.txt': 'x' });
    await expect(loadImageFolder(oneEmpty)).rejects.toThrow(`class folder ${join(oneEmpty, 'b')} has no images`);
    const mixed = folder('mixed', { 'top.png': encodePng(solid(2, 2, RED), 2, 2), 'cls/x.png': encodePng(solid(2, 2, RED), 2, 2) });
    await expect(loadImageFolder(mixed)).rejects.toThrow(
      `image folder ${mixed} mixes image files (top.png, ...) with class subfolders (cls, ...)`,
    );
    await expect(loadImageFolder(mixed, { split: 'test' })).rejects.toThrow('split: an image folder has no test split');
    await expect(loadImageFolder(mixed, { split: 'test' })).rejects.toBeInstanceOf(DataConfigError);
  });

  it('names a corrupt file', async () => {
    const good = encodePng(solid(4, 4, RED), 4, 4);
    const dir = folder('corrupt', {
      'a/ok.png': good,
      'a/truncated.png': good.subarray(0, 40),
      'b/bad.jpg': Buffer.concat([encodeJpeg(solid(8, 8, RED), 8, 8).subarray(0, 20)]),
      'c/fake.png': 'plain text',
    });
    const err = await loadImageFolder(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as DatasetError).message).toMatch(`corrupt PNG image ${join(dir, 'a', 'truncated.png')}: `);
    expect((err as DatasetError).path).toBe(join(dir, 'a', 'truncated.png'));
    expect(() => decodeImage(encodeJpeg(solid(8, 8, RED), 8, 8).subarray(0, 20), 'bad.jpg')).toThrow(
      /^corrupt JPEG image bad\.jpg: /,
    );
    expect(() => decodeImage(new TextEncoder().encode('plain text'), 'fake.png')).toThrow(
      'fake.png is neither a PNG nor a JPEG image',
    );
  });

  it('refuses a decompression bomb from its header, before inflating anything', () => {
    // A PNG signature and an IHDR claiming 100,000 x 100,000 pixels (40 GB as RGBA), then nothing.
    const bomb = new Uint8Array(33);
    bomb.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    new DataView(bomb.buffer).setUint32(16, 100_000);
    new DataView(bomb.buffer).setUint32(20, 100_000);
    bomb.set([8, 6, 0, 0, 0], 24);
    expect(() => decodeImage(bomb, 'bomb.png')).toThrow(/bomb\.png is 100000x100000 pixels, over the 16,777,216-pixel budget/);
  });

  it('refuses to pad an image larger than the target, naming it', async () => {
    const dir = folder('too-big', { 'a/big.png': encodePng(solid(8, 8, RED), 8, 8) });
    await expect(loadImageFolder(dir, { size: 4, fit: 'pad' })).rejects.toThrow(
      `${join(dir, 'a', 'big.png')}: fit 'pad' cannot bring 8x8 images to 4x4`,
    );
  });
});
