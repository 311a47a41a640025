import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@lowdiff/backend';
import { describe, expect, it } from 'vitest';
import {
  decodeNpy,
  encodeNpy,
  featureMatrix,
  NpyFormatError,
  readFeaturesNpy,
  readNpy,
  writeFeaturesNpy,
  writeNpy,
} from '../src/index';
import { FIXTURES } from './helpers';

const headerEnd = (bytes: Uint8Array) => 10 + (bytes[8] | (bytes[9] << 8));

describe('npy', () => {
  it('round-trips float32 and float64 of several shapes, with the data 64-byte aligned', () => {
    const rng = new Rng(41);
    for (const shape of [[7], [3, 4], [2, 3, 5], [123456, 0], [1, 1, 1, 1]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      for (const data of [rng.normalArray(n), Float64Array.from(rng.normalArray(n), (v) => v / 3)]) {
        const bytes = encodeNpy(data, shape);
        expect(headerEnd(bytes) % 64, `shape ${shape}`).toBe(0);
        expect(bytes[headerEnd(bytes) - 1]).toBe(0x0a); // header ends with a newline
        const back = decodeNpy(bytes);
        expect(back.shape).toEqual(shape);
        expect(back.dtype).toBe(data instanceof Float32Array ? '<f4' : '<f8');
        expect(back.data.constructor).toBe(data.constructor);
        expect(Array.from(back.data)).toEqual(Array.from(data));
      }
    }
  });

  it('reads files written by numpy.save', async () => {
    const real = await readNpy(join(FIXTURES, 'real_features.npy'));
    expect(real).toMatchObject({ dtype: '<f4', shape: [200, 16] });
    const images = await readNpy(join(FIXTURES, 'final_images.npy'));
    expect(images).toMatchObject({ dtype: '<f4', shape: [4, 8, 8, 3] });
    expect(Math.max(...images.data)).toBeLessThanOrEqual(1);
  });

  it('reads big-endian data and format version 2.0', () => {
    const v1 = encodeNpy(new Float64Array([1.5, -2.25]), [2]);
    const body = v1.subarray(headerEnd(v1));
    const header = new TextDecoder().decode(v1.subarray(10, headerEnd(v1))).replace("'<f8'", "'>f8'");
    const big = new Uint8Array(12 + header.length + 16);
    big.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
    new DataView(big.buffer).setUint32(8, header.length, true);
    big.set(new TextEncoder().encode(header), 12);
    for (let i = 0; i < 2; i++) new DataView(big.buffer).setFloat64(12 + header.length + 8 * i, new DataView(body.buffer, body.byteOffset).getFloat64(8 * i, true), false);
    expect(Array.from(decodeNpy(big).data)).toEqual([1.5, -2.25]);
  });

  it('names what is wrong with a bad file', () => {
    const good = encodeNpy(new Float32Array([1, 2, 3, 4]), [2, 2]);
    const patch = (from: string, to: string) => {
      const text = new TextDecoder('latin1').decode(good.subarray(0, headerEnd(good))).replace(from, to.padEnd(from.length, ' '));
      const out = good.slice();
      for (let i = 10; i < text.length; i++) out[i] = text.charCodeAt(i);
      return out;
    };
    expect(() => decodeNpy(new Uint8Array([1, 2, 3]))).toThrow(/not an .npy file/);
    expect(() => decodeNpy(good.subarray(0, good.length - 4))).toThrow(/data is 12 bytes, shape \(2, 2\) of <f4 needs 16/);
    expect(() => decodeNpy(good.subarray(0, 40))).toThrow(/truncated inside its header/);
    expect(() => decodeNpy(patch("'<f4'", "'<i4'"))).toThrow(/dtype '<i4' is not supported/);
    expect(() => decodeNpy(patch('False', 'True'))).toThrow(/Fortran order/);
    expect(() => encodeNpy(new Float32Array(5), [2, 2])).toThrow(NpyFormatError);
  });

  it('exports and imports features, and refuses a non-2-D file as features', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lowdiff-npy-'));
    const features = featureMatrix('classifier-fmnist', new Rng(42).normalArray(30 * 5), 5);
    await writeFeaturesNpy(join(dir, 'f.npy'), features);
    const back = await readFeaturesNpy(join(dir, 'f.npy'), 'classifier-fmnist');
    expect(back).toMatchObject({ extractor: 'classifier-fmnist', rows: 30, dim: 5 });
    expect(Array.from(back.data)).toEqual(Array.from(features.data));
    await writeNpy(join(dir, 'img.npy'), new Float32Array(8), [2, 2, 2]);
    await expect(readFeaturesNpy(join(dir, 'img.npy'), 'x')).rejects.toThrow(/img\.npy: features must be a 2-D/);
    await writeFile(join(dir, 'junk.npy'), 'hello');
    await expect(readNpy(join(dir, 'junk.npy'))).rejects.toThrow(/junk\.npy: not an .npy file/);
  });
});
