/**
 * A small codec for the safetensors format (https://github.com/huggingface/safetensors):
 * 8-byte little-endian header length, a JSON header of
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { string: string } }`,
 * then the tensors' bytes, little-endian, C order, contiguous. No npm package both reads and
 * writes it without pulling in a framework, so we keep our own, tested against files written
 * by an independent implementation.
 */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const MAX_HEADER = 100 * 1024 * 1024;
const MAX_RANK = 8;

export interface SafeTensor {
  /** dtype as stored in the file. */
  dtype: SafetensorsDtype;
  shape: number[];
  /** Values, widened for use: F16/BF16/F64 -> Float32Array, I64 -> Int32Array (range-checked), others native. */
  data: Float32Array | Int32Array | Int16Array | Int8Array | Uint8Array;
}

export interface SafetensorsContents {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

/** A malformed, truncated or unsupported safetensors file; nothing was loaded. */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

/** Tensors to write: float32 and int32 data (what training produces). */
export type WritableTensor = { shape: number[]; data: Float32Array | Int32Array };

export function encodeSafetensors(tensors: Map<string, WritableTensor> | Record<string, WritableTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const entries = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = Object.create(null); // '__proto__' is a tensor name like any other
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new SafetensorsError(`tensor '${name}': shape [${t.shape}] needs ${n} values, got ${t.data.length}`);
    const dtype = t.data instanceof Float32Array ? 'F32' : 'I32';
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference implementation does.
  // TextEncoder/TextDecoder rather than Buffer: the codec runs in browsers too.
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const [, t] of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsContents {
  const { header, headerLen } = decodeSafetensorsHeader(bytes, source);
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const metadata = headerMetadata(header, source);
  // Everything is validated before any tensor is materialised, so a crafted header (overlapping
  // spans, huge shapes) costs nothing but the error.
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number; count: number }[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const info = (typeof raw === 'object' && raw !== null ? raw : {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = info.dtype as SafetensorsDtype;
    if (!(typeof dtype === 'string' && Object.hasOwn(BYTES, dtype))) throw new SafetensorsError(`${source}: tensor '${name}' has unsupported dtype ${JSON.stringify(info.dtype)}`);
    const shape = info.shape;
    if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new SafetensorsError(`${source}: tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    const offs = info.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0] > offs[1])
      throw new SafetensorsError(`${source}: tensor '${name}' has invalid data_offsets ${JSON.stringify(offs)}`);
    const [begin, end] = offs as [number, number];
    if (end > dataLen) throw new SafetensorsError(`${source}: tensor '${name}' ends at byte ${end} but the data section has ${dataLen} bytes (truncated file)`);
    // Multiply with a bound, so a shape like [2^40, 2^40] cannot overflow into a matching size.
    let count = 1;
    for (const d of shape as number[]) count = Math.min(count * d, Number.MAX_SAFE_INTEGER);
    if (end - begin !== count * BYTES[dtype])
      throw new SafetensorsError(`${source}: tensor '${name}' holds ${end - begin} bytes, but ${dtype} [${shape}] needs ${count * BYTES[dtype]}`);
    entries.push({ name, dtype, shape: shape as number[], begin, end, count });
  }
  const spans = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const { begin, end, name } of spans) {
    if (begin !== cursor) throw new SafetensorsError(`${source}: tensor '${name}' starts at byte ${begin}, expected ${cursor} (overlapping or gapped data)`);
    cursor = end;
  }
  if (cursor !== dataLen) throw new SafetensorsError(`${source}: ${dataLen - cursor} trailing bytes after the last tensor (corrupt file)`);
  const tensors = new Map<string, SafeTensor>();
  for (const { name, dtype, shape, begin, end, count } of entries)
    tensors.set(name, { dtype, shape, data: widen(dtype, bytes.subarray(dataStart + begin, dataStart + end), count, name, source) });
  return { tensors, metadata };
}

/**
 * The JSON header of a safetensors file. `bytes` may be the file's first 8 + header-length bytes
 * only (a reader of the header alone), `fileLength` the whole file's.
 */
export function decodeSafetensorsHeader(bytes: Uint8Array, source: string, fileLength = bytes.length): { header: Record<string, unknown>; headerLen: number } {
  if (fileLength < 8 || bytes.length < 8) throw new SafetensorsError(`${source}: ${fileLength} bytes is too short for a safetensors header (truncated or not safetensors)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > MAX_HEADER || 8 + headerLen > fileLength || 8 + headerLen > bytes.length)
    throw new SafetensorsError(`${source}: header claims ${headerLen} bytes but the file has ${fileLength - 8} after the length field (truncated or not safetensors)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
  } catch (err) {
    throw new SafetensorsError(`${source}: header is not valid JSON (${(err as Error).message}); the file is corrupt`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new SafetensorsError(`${source}: header is not a JSON object`);
  return { header, headerLen };
}

/**
 * The string metadata of a safetensors header (parsed JSON), checked: an object of strings.
 * Exported for readers of the header alone (`readSafetensorsMetadata`).
 */
export function headerMetadata(header: Record<string, unknown>, source: string): Record<string, string> {
  // A null prototype: names like `__proto__` or `constructor` from a file are plain keys here.
  const metadata: Record<string, string> = Object.create(null);
  const raw = header.__metadata__;
  if (raw === undefined) return metadata;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SafetensorsError(`${source}: __metadata__ is not a JSON object`);
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new SafetensorsError(`${source}: __metadata__.${k} is not a string`);
    metadata[k] = v;
  }
  return metadata;
}

function widen(dtype: SafetensorsDtype, raw: Uint8Array, count: number, name: string, source: string): SafeTensor['data'] {
  // Copy so the result is aligned and independent of the file buffer (Buffer#slice would share it).
  const copy = new Uint8Array(raw.length);
  copy.set(raw);
  const buf = copy.buffer;
  const dv = new DataView(buf);
  switch (dtype) {
    case 'F32':
      return new Float32Array(buf);
    case 'I32':
      return new Int32Array(buf);
    case 'I16':
      return new Int16Array(buf);
    case 'I8':
      return new Int8Array(buf);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(buf);
    case 'F64':
      return Float32Array.from(new Float64Array(buf));
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(count);
      const tmp = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        tmp.setUint32(0, dv.getUint16(2 * i, true) << 16);
        out[i] = tmp.getFloat32(0);
      }
      return out;
    }
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = dv.getBigInt64(8 * i, true);
        if (v > 2147483647n || v < -2147483648n) throw new SafetensorsError(`${source}: tensor '${name}' has an I64 value outside int32 range`);
        out[i] = Number(v);
      }
      return out;
    }
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * Math.pow(2, -14) * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * Math.pow(2, exp - 15) * (1 + frac / 1024);
}
