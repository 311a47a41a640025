import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@lowdiff/backend';
import { NpyFormatError } from './errors';
import { featureMatrix, type FeatureMatrix } from './feature-matrix';

/** Element types this package writes ('<f4', '<f8') and reads (also big-endian '>f4', '>f8'). */
export type NpyDtype = '<f4' | '<f8';

/** A decoded .npy array: C-order data in native float arrays. */
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: Float32Array | Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy pads the header so the data starts at a multiple of 64 bytes. */
const ALIGN = 64;

/**
 * Encodes an array as NPY format version 1.0: magic, version, uint16 header length, the header
 * dict `{'descr': '<f4', 'fortran_order': False, 'shape': (…), }` padded with spaces and a final
 * newline to a 64-byte boundary, then the little-endian C-order data. Float32Array gives '<f4',
 * Float64Array '<f8'. `np.load` reads the result.
 *
 * @throws {@link NpyFormatError} when the shape does not match the data length
 */
export function encodeNpy(data: Float32Array | Float64Array, shape: readonly number[]): Uint8Array {
  if (shape.some((s) => !Number.isInteger(s) || s < 0)) throw new NpyFormatError(`encodeNpy: bad shape (${shape.join(', ')})`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new NpyFormatError(`encodeNpy: shape (${shape.join(', ')}) holds ${size} values, data has ${data.length}`);
  const descr: NpyDtype = data instanceof Float32Array ? '<f4' : '<f8';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1;
  const headerLength = dict.length + 1 + ((ALIGN - (unpadded % ALIGN)) % ALIGN);
  if (headerLength > 0xffff) throw new NpyFormatError('encodeNpy: header longer than format 1.0 allows');
  const header = dict.padEnd(headerLength - 1, ' ') + '\n';
  const prefix = MAGIC.length + 4;
  const out = new Uint8Array(prefix + headerLength + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerLength, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  const view = new DataView(out.buffer, prefix + headerLength);
  const width = descr === '<f4' ? 4 : 8;
  for (let i = 0; i < data.length; i++) {
    if (width === 4) view.setFloat32(i * 4, data[i], true);
    else view.setFloat64(i * 8, data[i], true);
  }
  return out;
}

/**
 * Decodes an .npy buffer (format versions 1.0, 2.0 and 3.0) holding float32 or float64 data in
 * C order, either byte order.
 *
 * @throws {@link NpyFormatError} naming what is wrong: magic, version, header, dtype, order, length
 */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyFormatError('not an .npy file: missing \\x93NUMPY magic');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyFormatError('.npy file truncated inside its prefix');
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else {
    throw new NpyFormatError(`unsupported .npy format version ${major}.${bytes[7]}`);
  }
  if (headerStart + headerLength > bytes.length) throw new NpyFormatError('.npy file truncated inside its header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const { descr, fortranOrder, shape } = parseHeaderDict(header);
  if (fortranOrder) throw new NpyFormatError('.npy array is in Fortran order; save it with np.ascontiguousarray first');
  const width = descr.endsWith('4') ? 4 : 8;
  const littleEndian = descr[0] === '<';
  const size = shape.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLength;
  const available = bytes.length - dataStart;
  if (available !== size * width) {
    throw new NpyFormatError(`.npy data is ${available} bytes, shape (${shape.join(', ')}) of ${descr} needs ${size * width}`);
  }
  const data = width === 4 ? new Float32Array(size) : new Float64Array(size);
  for (let i = 0; i < size; i++) {
    data[i] = width === 4 ? view.getFloat32(dataStart + 4 * i, littleEndian) : view.getFloat64(dataStart + 8 * i, littleEndian);
  }
  return { dtype: width === 4 ? '<f4' : '<f8', shape, data };
}

function parseHeaderDict(header: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const order = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || order === undefined || shapeText === undefined) {
    throw new NpyFormatError(`.npy header is not a valid dict: ${header.trim()}`);
  }
  if (!['<f4', '<f8', '>f4', '>f8'].includes(descr)) {
    throw new NpyFormatError(`.npy dtype '${descr}' is not supported; use float32 ('<f4') or float64 ('<f8')`);
  }
  const parts = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const shape = parts.map((p) => {
    if (!/^\d+L?$/.test(p)) throw new NpyFormatError(`.npy header has a bad shape entry '${p}'`);
    return Number.parseInt(p, 10);
  });
  return { descr, fortranOrder: order === 'True', shape };
}

/** Writes an array as .npy, atomically. */
export async function writeNpy(path: string, data: Float32Array | Float64Array, shape: readonly number[]): Promise<void> {
  await writeFileAtomic(path, encodeNpy(data, shape));
}

/** Reads an .npy file. @throws {@link NpyFormatError} */
export async function readNpy(path: string): Promise<NpyArray> {
  try {
    return decodeNpy(new Uint8Array(await readFile(path)));
  } catch (error) {
    if (error instanceof NpyFormatError) throw new NpyFormatError(`${path}: ${error.message}`);
    throw error;
  }
}

/**
 * Exports raw features as a `[rows, dim]` .npy (float32 stays '<f4', float64 stays '<f8'), for
 * analysis in numpy. The extractor name is not part of the NPY format; put it in the file name.
 */
export async function writeFeaturesNpy(path: string, features: FeatureMatrix): Promise<void> {
  await writeNpy(path, features.data, [features.rows, features.dim]);
}

/**
 * Imports a 2-D `[rows, dim]` .npy as features of the named extractor.
 *
 * @throws {@link NpyFormatError} when the array is not 2-D
 */
export async function readFeaturesNpy(path: string, extractor: string): Promise<FeatureMatrix> {
  const array = await readNpy(path);
  if (array.shape.length !== 2) throw new NpyFormatError(`${path}: features must be a 2-D [rows, dim] array, got shape (${array.shape.join(', ')})`);
  return featureMatrix(extractor, array.data, array.shape[1]);
}
