import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, readSafetensorsFile, SafetensorsError } from '../src';

/**
 * Mutation fuzzing of the safetensors parser: every input must end in a valid load or a
 * SafetensorsError, never another exception, a hang or a large allocation. FUZZ_COUNT sets the
 * number of inputs (`npm run fuzz` runs 100,000); the seed is fixed, so a failure reproduces.
 */
const COUNT = Number(process.env.FUZZ_COUNT ?? 2000);

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seeds: Uint8Array[] = [
  encodeSafetensors(
    {
      'model/a': { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
      'model/b': { shape: [4], data: new Int32Array([7, 8, 9, 10]) },
      'extra/c': { shape: [], data: new Float32Array([0.5]) },
    },
    { format: 'lowdiff-checkpoint/1', config: '{"kind":"unet"}' },
  ),
  new Uint8Array(readFileSync(new URL('./fixtures/fixture.safetensors', import.meta.url))),
];

// Values a crafted header would use to hurt: huge, negative, overlapping, non-integer.
const NASTY = ['0', '-1', '1e308', '9007199254740993', '4294967296', '1.5', '"x"', 'null', '[]', '{}', '[0,0]', '[1073741824,1073741824]', '"__proto__"', '"constructor"'];
const KEYS = ['"__proto__"', '"constructor"', '"__metadata__"', '"toString"', '"dtype"', '"shape"', '"data_offsets"'];
const DTYPES = ['"F32"', '"I64"', '"BF16"', '"F16"', '"F64"', '"BOOL"', '"U8"', '"Q4"', '"constructor"', '"__proto__"'];

function headerOf(bytes: Uint8Array): { len: number; json: string } {
  const len = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { len, json: Buffer.from(bytes.subarray(8, 8 + len)).toString('utf8') };
}

function withHeader(bytes: Uint8Array, json: string): Uint8Array {
  const { len } = headerOf(bytes);
  const h = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + h.length + (bytes.length - 8 - len));
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(bytes.subarray(8 + len), 8 + h.length);
  return out;
}

function mutate(rand: () => number): Uint8Array {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const base = pick(seeds);
  const bytes = base.slice();
  const { json } = headerOf(base);
  switch (Math.floor(rand() * 8)) {
    case 0: // bit flips anywhere
      for (let k = 1 + Math.floor(rand() * 8); k > 0; k--) bytes[Math.floor(rand() * bytes.length)] ^= 1 << Math.floor(rand() * 8);
      return bytes;
    case 1: // truncation
      return bytes.subarray(0, Math.floor(rand() * bytes.length));
    case 2: {
      // the length field
      const dv = new DataView(bytes.buffer);
      dv.setBigUint64(0, pick([0n, 1n, 7n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n, BigInt(Math.floor(rand() * 2 * json.length))]), true);
      return bytes;
    }
    case 3: // a number in the header replaced by a nasty value
    case 4: {
      const numbers = [...json.matchAll(/-?\d+(\.\d+)?/g)];
      if (numbers.length === 0) return bytes;
      const m = pick(numbers);
      return withHeader(base, json.slice(0, m.index) + pick(NASTY) + json.slice(m.index! + m[0].length));
    }
    case 5: {
      // a string (name, dtype, key) replaced
      const strings = [...json.matchAll(/"[^"]*"/g)];
      const m = pick(strings);
      return withHeader(base, json.slice(0, m.index) + pick([...KEYS, ...DTYPES]) + json.slice(m.index! + m[0].length));
    }
    case 6: {
      // an extra tensor entry whose span overlaps, or is huge
      const span = pick(['[0,24]', '[0,1073741824]', '[8,8]', '[4,28]']);
      const shape = pick(['[6]', '[268435456]', '[2,3]', '[0]', '[9007199254740991,2]']);
      return withHeader(base, json.replace(/^\{/, `{${pick(KEYS)}:{"dtype":${pick(DTYPES)},"shape":${shape},"data_offsets":${span}},`));
    }
    default: {
      // random bytes spliced into the header
      const at = 8 + Math.floor(rand() * json.length);
      for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) bytes[at + k] = Math.floor(rand() * 256);
      return bytes;
    }
  }
}

describe('safetensors parser under fuzzing', () => {
  it(`ends every one of ${COUNT} mutated inputs in a valid load or a named SafetensorsError, within a memory bound`, () => {
    const rand = mulberry32(20261130);
    const rssBefore = process.memoryUsage().rss;
    const counts = { loaded: 0, rejected: 0 };
    const messages = new Set<string>();
    for (let i = 0; i < COUNT; i++) {
      const input = mutate(rand);
      try {
        const { tensors } = decodeSafetensors(input, 'fuzz');
        for (const t of tensors.values()) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
        counts.loaded++;
      } catch (err) {
        if (!(err instanceof SafetensorsError)) throw new Error(`input ${i}: ${(err as Error).name}: ${(err as Error).message}`);
        expect(err.message).toMatch(/^fuzz: /);
        messages.add(err.message.replace(/\d+/g, 'N').slice(0, 60));
        counts.rejected++;
      }
    }
    const grewMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    console.log(`safetensors fuzz: ${COUNT} inputs, ${counts.loaded} valid loads, ${counts.rejected} named errors (${messages.size} kinds), 0 crashes; RSS +${grewMb.toFixed(0)} MiB`);
    expect(counts.loaded + counts.rejected).toBe(COUNT);
    expect(counts.rejected).toBeGreaterThan(COUNT / 2);
    expect(grewMb).toBeLessThan(512);
  });
});

describe('crafted safetensors files', () => {
  it('overlapping spans are refused before any tensor is materialised (2,000 views of 1 MiB would be 2 GiB)', () => {
    const entries = Array.from({ length: 2000 }, (_, i) => `"t${i}":{"dtype":"F32","shape":[262144],"data_offsets":[0,1048576]}`);
    const header = Buffer.from(`{${entries.join(',')}}`);
    const bytes = new Uint8Array(8 + header.length + 1048576);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    const rssBefore = process.memoryUsage().rss;
    expect(() => decodeSafetensors(bytes, 'crafted')).toThrow(/overlapping or gapped data/);
    expect((process.memoryUsage().rss - rssBefore) / 2 ** 20).toBeLessThan(256);
  });

  it('names from the file never reach prototype properties', () => {
    const named = new Map([
      ['__proto__', { shape: [1], data: new Float32Array([1]) }],
      ['constructor', { shape: [1], data: new Float32Array([2]) }],
    ]);
    const { tensors, metadata } = decodeSafetensors(encodeSafetensors(named, { constructor: 'x', toString: 'y' }), 'crafted');
    expect(tensors.get('__proto__')!.data[0]).toBe(1);
    expect(tensors.get('constructor')!.data[0]).toBe(2);
    expect(metadata.constructor).toBe('x');
    expect(Object.getPrototypeOf(metadata)).toBe(null);
  });
});

describe('what is not a regular file', () => {
  it('a FIFO, a symlink to /dev/zero and a directory are refused at once, without reading', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lowdiff-special-'));
    try {
      execFileSync('mkfifo', [join(dir, 'fifo.safetensors')]);
      symlinkSync('/dev/zero', join(dir, 'zero.safetensors'));
      await expect(readSafetensorsFile(join(dir, 'fifo.safetensors'))).rejects.toThrow(/not a regular file \(a FIFO\)/);
      await expect(readSafetensorsFile(join(dir, 'zero.safetensors'))).rejects.toThrow(/not a regular file \(a device\)/);
      await expect(readSafetensorsFile(dir)).rejects.toThrow(/not a regular file \(a directory\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
