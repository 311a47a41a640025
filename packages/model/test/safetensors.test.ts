import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, readSafetensorsFile, SafetensorsError, writeSafetensorsFile } from '../src';

const FIXTURE = join(__dirname, 'fixtures', 'fixture.safetensors');

describe('safetensors', () => {
  it('round-trips bit-exactly, including NaN payloads, -0 and subnormals', () => {
    const a = new Float32Array([Number.NaN, -0, 1e-45, 3.4e38, -1.5, Math.PI]);
    const bits = new Uint32Array(a.buffer);
    bits[0] = 0x7fc01234; // a NaN with a payload
    const ids = new Int32Array([-2147483648, 0, 2147483647]);
    const bytes = encodeSafetensors({ a: { shape: [2, 3], data: a }, ids: { shape: [3], data: ids } }, { k: 'v' });
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ k: 'v' });
    expect(new Uint32Array((tensors.get('a')!.data as Float32Array).buffer)).toEqual(bits);
    expect(tensors.get('a')!.shape).toEqual([2, 3]);
    expect(tensors.get('ids')!.data).toEqual(ids);
    expect(Buffer.from(encodeSafetensors({ a: { shape: [2, 3], data: a }, ids: { shape: [3], data: ids } }, { k: 'v' }))).toEqual(Buffer.from(bytes));
    // The data section starts 8-byte aligned, as the reference writer does.
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
  });

  it('loads a file written by an independent implementation (numpy + struct, test/fixtures/make_fixture.py)', async () => {
    const { tensors, metadata } = await readSafetensorsFile(FIXTURE);
    expect(metadata).toEqual({ writer: 'numpy', note: 'independent fixture' });
    const w = tensors.get('weight')!;
    expect(w.dtype).toBe('F32');
    expect(w.shape).toEqual([2, 3, 4]);
    expect(Array.from(w.data)).toEqual(Array.from({ length: 24 }, (_, i) => i / 8 - 1));
    expect(Array.from(tensors.get('half')!.data)).toEqual([0.5, -2, 65504, 6.103515625e-5, 0]);
    expect(Array.from(tensors.get('bf')!.data)).toEqual([1, -3.5, 0.15625]);
    expect(Array.from(tensors.get('ids')!.data)).toEqual([1, -2, 3, 2147483647]);
    expect(Array.from(tensors.get('big')!.data)).toEqual([7, -9]);
    expect(tensors.get('empty')!.shape).toEqual([0, 3]);
  });

  it('rejects truncated and corrupt files with a clear message', async () => {
    const good = new Uint8Array(await readFile(FIXTURE));
    const headerLen = Number(new DataView(good.buffer, good.byteOffset).getBigUint64(0, true));
    const cases: [string, Uint8Array, RegExp][] = [
      ['empty', good.subarray(0, 0), /too short for a safetensors header/],
      ['cut in the header', good.subarray(0, 100), /header claims 484 bytes/],
      ['cut in the data', good.subarray(0, good.length - 10), /truncated file/],
      ['trailing bytes', new Uint8Array([...good, 1, 2, 3]), /trailing bytes/],
    ];
    const badJson = good.slice();
    badJson[8] = 0x5b; // '[' then garbage
    badJson[9] = 0x7d;
    cases.push(['corrupt header', badJson, /not valid JSON/]);
    const badDtype = Buffer.from(good).toString('latin1').replace('"F16"', '"Q16"');
    cases.push(['unknown dtype', new Uint8Array(Buffer.from(badDtype, 'latin1')), /unsupported dtype "Q16"/]);
    for (const [label, bytes, message] of cases) {
      expect(() => decodeSafetensors(bytes), label).toThrow(SafetensorsError);
      expect(() => decodeSafetensors(bytes), label).toThrow(message);
    }
    expect(headerLen).toBe(484);
  });

  it('writes atomically: a failed write leaves the existing file untouched', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'st-'));
    const path = join(dir, 'w.safetensors');
    await writeSafetensorsFile(path, { a: { shape: [1], data: new Float32Array([1]) } });
    const before = await readFile(path);
    await expect(writeSafetensorsFile(path, { a: { shape: [2], data: new Float32Array([1]) } })).rejects.toThrow(/needs 2 values/);
    expect(await readFile(path)).toEqual(before);
    await writeFile(join(dir, 'not.safetensors'), 'hello');
    await expect(readSafetensorsFile(join(dir, 'not.safetensors'))).rejects.toThrow(/not.safetensors: 5 bytes is too short/);
    await expect(readSafetensorsFile(join(dir, 'missing.safetensors'))).rejects.toThrow(/no such file/);
  });
});
