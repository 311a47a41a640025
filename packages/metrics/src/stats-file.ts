import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '@lowdiff/backend';
import { StatsFileError } from './errors';
import { FeatureStats } from './feature-stats';

/**
 * Layout of a statistics file (`.ldstats`), all little-endian:
 *
 * | bytes | content |
 * |---|---|
 * | 0-7 | magic `LDSTATS1` (ASCII) |
 * | 8-15 | header length H, uint64 |
 * | 16 .. 16+H | JSON header ({@link StatsFileHeader}), UTF-8, space-padded so the data starts 8-byte aligned |
 * | then | `sum`: d float64, then `sumOuter`: d*d float64, row-major |
 *
 * The raw float64 sums are stored bit-exactly, so a file reloads to the very same statistics and
 * shards merge exactly. The header's `sha256` covers the data bytes, so a corrupt file is caught.
 */
export const STATS_MAGIC = 'LDSTATS1';

const PREFIX_BYTES = 16;

/** JSON header of a statistics file. */
export const StatsFileHeaderSchema = z.object({
  format: z.literal('lowdiff-feature-stats'),
  version: z.literal(1),
  extractor: z.string().min(1),
  featureDim: z.number().int().min(1),
  count: z.number().int().min(0),
  dtype: z.literal('<f8'),
  /** Bytes of data after the header: 8 (d + d²). */
  dataBytes: z.number().int().min(0),
  /** Hex SHA-256 of the data bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Free-form provenance (data set, split, resolution, ...), stored and returned unchanged. */
  meta: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type StatsFileHeader = z.infer<typeof StatsFileHeaderSchema>;

/** Provenance to store in a statistics file's header. */
export type StatsMeta = NonNullable<StatsFileHeader['meta']>;

/** Serialises statistics to the `.ldstats` layout ({@link STATS_MAGIC}). */
export function encodeStats(stats: FeatureStats, meta?: StatsMeta): Uint8Array {
  const d = stats.featureDim;
  const data = new Uint8Array(8 * (d + d * d));
  const view = new DataView(data.buffer);
  for (let i = 0; i < d; i++) view.setFloat64(8 * i, stats.sum[i], true);
  for (let i = 0; i < d * d; i++) view.setFloat64(8 * (d + i), stats.sumOuter[i], true);
  const header: StatsFileHeader = {
    format: 'lowdiff-feature-stats',
    version: 1,
    extractor: stats.extractor,
    featureDim: d,
    count: stats.count,
    dtype: '<f8',
    dataBytes: data.length,
    sha256: sha256Hex(data),
    ...(meta === undefined ? {} : { meta }),
  };
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const withPad = new Uint8Array(padded).fill(0x20);
    withPad.set(json);
    json = withPad;
  }
  const out = new Uint8Array(PREFIX_BYTES + json.length + data.length);
  out.set(new TextEncoder().encode(STATS_MAGIC), 0);
  new DataView(out.buffer).setBigUint64(8, BigInt(json.length), true);
  out.set(json, PREFIX_BYTES);
  out.set(data, PREFIX_BYTES + json.length);
  return out;
}

/**
 * Parses a statistics file's bytes.
 *
 * @param source - named in error messages (usually the path)
 * @throws {@link StatsFileError} on a wrong magic, a truncated file, a bad header or a checksum mismatch
 */
export function decodeStats(bytes: Uint8Array, source?: string): { stats: FeatureStats; header: StatsFileHeader } {
  const { header, dataOffset } = parseHeader(bytes, source);
  const available = bytes.length - dataOffset;
  if (available !== header.dataBytes) {
    const what = available < header.dataBytes ? 'truncated' : 'has trailing bytes';
    throw new StatsFileError(
      `statistics file ${what}: header announces ${header.dataBytes} data bytes, found ${available}`,
      source,
    );
  }
  const data = bytes.subarray(dataOffset);
  if (sha256Hex(data) !== header.sha256) {
    throw new StatsFileError('statistics file is corrupt: SHA-256 of the data does not match the header', source);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const d = header.featureDim;
  const sum = new Float64Array(d);
  const sumOuter = new Float64Array(d * d);
  for (let i = 0; i < d; i++) sum[i] = view.getFloat64(8 * i, true);
  for (let i = 0; i < d * d; i++) sumOuter[i] = view.getFloat64(8 * (d + i), true);
  return { stats: FeatureStats.fromSums(header.extractor, header.count, sum, sumOuter), header };
}

/** Writes statistics atomically (temporary file, then rename). */
export async function saveStats(path: string, stats: FeatureStats, meta?: StatsMeta): Promise<void> {
  await writeFileAtomic(path, encodeStats(stats, meta));
}

/** Reads statistics written by {@link saveStats}. @throws {@link StatsFileError} */
export async function loadStats(path: string): Promise<FeatureStats> {
  return decodeStats(await readBytes(path), path).stats;
}

/** Reads only a statistics file's header (extractor, dim, count, meta) without loading the data. */
export async function readStatsHeader(path: string): Promise<StatsFileHeader> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new StatsFileError(`cannot open statistics file: ${(error as Error).message}`, path, { cause: error });
  }
  try {
    const prefix = new Uint8Array(PREFIX_BYTES);
    const { bytesRead } = await handle.read(prefix, 0, PREFIX_BYTES, 0);
    const { size } = await handle.stat();
    const headerBytes = Number(checkPrefix(prefix.subarray(0, bytesRead), size - PREFIX_BYTES, path));
    const buf = new Uint8Array(PREFIX_BYTES + headerBytes);
    buf.set(prefix);
    const rest = await handle.read(buf, PREFIX_BYTES, headerBytes, PREFIX_BYTES);
    return parseHeader(buf.subarray(0, PREFIX_BYTES + rest.bytesRead), path).header;
  } finally {
    await handle.close();
  }
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new StatsFileError(`cannot read statistics file: ${(error as Error).message}`, path, { cause: error });
  }
}

function checkPrefix(bytes: Uint8Array, fileLength: number, source?: string): bigint {
  if (bytes.length < PREFIX_BYTES) {
    throw new StatsFileError(`not a statistics file: ${bytes.length} bytes, shorter than the 16-byte prefix`, source);
  }
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== STATS_MAGIC) {
    throw new StatsFileError(`not a statistics file: magic is ${JSON.stringify(magic)}, expected ${STATS_MAGIC}`, source);
  }
  const headerBytes = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(8, true);
  if (headerBytes > BigInt(Math.max(0, fileLength))) {
    throw new StatsFileError(`statistics file truncated or corrupt: header length ${headerBytes} exceeds the file`, source);
  }
  return headerBytes;
}

function parseHeader(bytes: Uint8Array, source?: string): { header: StatsFileHeader; dataOffset: number } {
  const headerBytes = Number(checkPrefix(bytes, bytes.length - PREFIX_BYTES, source));
  const text = new TextDecoder().decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerBytes));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StatsFileError(`statistics file header is not valid JSON: ${(error as Error).message}`, source, { cause: error });
  }
  const parsed = StatsFileHeaderSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new StatsFileError(`statistics file header is invalid: ${issues}`, source, { cause: parsed.error });
  }
  const header = parsed.data;
  const d = header.featureDim;
  if (header.dataBytes !== 8 * (d + d * d)) {
    throw new StatsFileError(`statistics file header is inconsistent: dataBytes ${header.dataBytes} != 8 * (d + d²) for d = ${d}`, source);
  }
  return { header, dataOffset: PREFIX_BYTES + headerBytes };
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
