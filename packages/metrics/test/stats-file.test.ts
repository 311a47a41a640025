import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@lowdiff/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeStats,
  encodeStats,
  FeatureStats,
  fid,
  loadStats,
  mergeStats,
  readStatsHeader,
  saveStats,
  StatsFileError,
} from '../src/index';
import { maxAbsDiff } from './helpers';

let dir: string;
const d = 12;
const data = new Rng(5).normalArray(900 * d, 1, 3);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lowdiff-stats-'));
});

describe('statistics files', () => {
  it('round-trip bit-exactly with extractor, dim, count and meta', async () => {
    const stats = new FeatureStats('classifier-fmnist', d).add(data);
    const path = join(dir, 'full.ldstats');
    await saveStats(path, stats, { dataset: 'fashion-mnist', split: 'train', resolution: 28 });
    const back = await loadStats(path);
    expect(back.extractor).toBe('classifier-fmnist');
    expect(back.featureDim).toBe(d);
    expect(back.count).toBe(900);
    expect(Array.from(back.sum)).toEqual(Array.from(stats.sum));
    expect(Array.from(back.sumOuter)).toEqual(Array.from(stats.sumOuter));
    const header = await readStatsHeader(path);
    expect(header).toMatchObject({ extractor: 'classifier-fmnist', featureDim: d, count: 900, meta: { resolution: 28 } });
  });

  it('merging two shard files equals computing over the union (~1e-12)', async () => {
    const shardA = new FeatureStats('classifier-fmnist', d).add(data.subarray(0, 350 * d));
    const shardB = new FeatureStats('classifier-fmnist', d).add(data.subarray(350 * d));
    await saveStats(join(dir, 'a.ldstats'), shardA);
    await saveStats(join(dir, 'b.ldstats'), shardB);
    const merged = mergeStats(await loadStats(join(dir, 'a.ldstats')), await loadStats(join(dir, 'b.ldstats')));
    const union = new FeatureStats('classifier-fmnist', d).add(data);
    expect(merged.count).toBe(union.count);
    const rel = (a: Float64Array, b: Float64Array) => maxAbsDiff(a, b) / Math.max(...b.map(Math.abs));
    expect(rel(merged.mean(), union.mean())).toBeLessThan(1e-12);
    expect(rel(merged.covariance(), union.covariance())).toBeLessThan(1e-12);
    expect(fid({ real: union, generated: merged }).value).toBeLessThan(1e-9);
  });

  it('writes atomically: no temporary file is left and an existing file is replaced whole', async () => {
    const sub = await mkdtemp(join(dir, 'atomic-'));
    const path = join(sub, 's.ldstats');
    await saveStats(path, new FeatureStats('x', 3).add(new Float64Array([1, 2, 3, 4, 5, 6])));
    await saveStats(path, new FeatureStats('x', 3).add(new Float64Array([1, 2, 3])));
    expect(await readdir(sub)).toEqual(['s.ldstats']);
    expect((await loadStats(path)).count).toBe(1);
  });

  describe('a damaged file gives a clear error', () => {
    const good = encodeStats(new FeatureStats('x', 4).add(new Rng(1).normalArray(40)));

    it('truncated', async () => {
      const path = join(dir, 'truncated.ldstats');
      await writeFile(path, good.subarray(0, good.length - 9));
      await expect(loadStats(path)).rejects.toThrow(StatsFileError);
      await expect(loadStats(path)).rejects.toThrow(/truncated\.ldstats: statistics file truncated: header announces 160 data bytes, found 151/);
      expect(() => decodeStats(good.subarray(0, 40))).toThrow(/header length \d+ exceeds the file/);
      expect(() => decodeStats(good.subarray(0, 5))).toThrow(/shorter than the 16-byte prefix/);
    });

    it('corrupt data, header or magic', () => {
      const flipped = good.slice();
      flipped[flipped.length - 3] ^= 0x10;
      expect(() => decodeStats(flipped)).toThrow(/corrupt: SHA-256/);
      const badHeader = good.slice();
      badHeader[16] = 0x7a; // '{' -> 'z'
      expect(() => decodeStats(badHeader)).toThrow(/header is not valid JSON/);
      const badMagic = good.slice();
      badMagic[0] = 0x4e;
      expect(() => decodeStats(badMagic)).toThrow(/not a statistics file: magic/);
      expect(() => decodeStats(new Uint8Array([...good, 0]))).toThrow(/trailing bytes/);
    });

    it('a header that lies about its size or has a wrong field', () => {
      const forged = patchHeader(good, (h) => h.replace('"featureDim":4', '"featureDim":5'));
      expect(() => decodeStats(forged)).toThrow(/inconsistent: dataBytes 160/);
      const noName = patchHeader(good, (h) => h.replace('"extractor":"x"', '"extractor":""'));
      expect(() => decodeStats(noName)).toThrow(/header is invalid: extractor/);
    });

    it('a missing file', async () => {
      await expect(loadStats(join(dir, 'nope.ldstats'))).rejects.toThrow(/nope\.ldstats: cannot read statistics file/);
      await expect(readStatsHeader(join(dir, 'nope.ldstats'))).rejects.toThrow(StatsFileError);
    });

    it('readStatsHeader on a truncated header', async () => {
      const path = join(dir, 'short-header.ldstats');
      await writeFile(path, good.subarray(0, 30));
      await expect(readStatsHeader(path)).rejects.toThrow(/exceeds the file/);
      expect((await readFile(path)).length).toBe(30);
    });
  });
});

/** Rewrites the JSON header in place (same length, space-padded), leaving the data untouched. */
function patchHeader(bytes: Uint8Array, edit: (header: string) => string): Uint8Array {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(8, true));
  const header = new TextDecoder().decode(bytes.subarray(16, 16 + length));
  const patched = edit(header).padEnd(length, ' ');
  expect(patched.length).toBe(length);
  const out = bytes.slice();
  out.set(new TextEncoder().encode(patched), 16);
  return out;
}
