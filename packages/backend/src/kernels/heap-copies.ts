import * as tf from '@tensorflow/tfjs';
import type { RawKernel } from './zero-copy-identity';

// tfjs-wasm's Slice (and SplitV, which calls it) first copies its whole input out of the wasm heap
// (readSync) and then copies rows with one subarray().set() each; its Concat does the latter. For
// a channel split or concat of an NHWC map (a UNet's skip connections and their gradients) that
// is ~32k calls of 24 floats: 3-7 ms per op at 32x32, batch 32. These versions read the heap in
// place and copy short rows with a plain loop, or, for equal short widths (a UNet's skips), move
// whole blocks with wasm's Transpose: [rows, k, c] <-> [k, rows, c] plus contiguous copies.
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

interface Args {
  inputs: Record<string, tf.TensorInfo> | tf.TensorInfo[];
  attrs: Record<string, unknown>;
  backend: HeapBackend;
}

const SHORT_ROW = 64;

type Heap = Float32Array | Int32Array | Uint8Array;

/** Copies `rows` runs of `n` elements; short runs element by element (one call per run is the cost). */
function copyRows(src: Heap, from: number, fromStride: number, dst: Heap, to: number, toStride: number, rows: number, n: number): void {
  if (n >= SHORT_ROW) {
    for (let r = 0; r < rows; r++) dst.set(src.subarray(from + r * fromStride, from + r * fromStride + n), to + r * toStride);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const s = from + r * fromStride;
    const d = to + r * toStride;
    for (let i = 0; i < n; i++) dst[d + i] = src[s + i];
  }
}

/** Copies the box [begin, begin + size) of `x` into a new output. */
function sliceBox(backend: HeapBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  // Views only after makeOutput: growing the heap detaches earlier ones.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  // Merge trailing axes the box covers fully into one contiguous run.
  let run = 1;
  let axis = rank - 1;
  while (axis >= 0 && begin[axis] === 0 && size[axis] === x.shape[axis]) run *= x.shape[axis--];
  if (axis < 0) {
    dst.set(src);
    return out;
  }
  const strides = tf.util.computeStrides(x.shape);
  run *= size[axis];
  // Rows of the innermost partial axis with their outer index fixed: one copyRows per outer index.
  const rowAxis = axis - 1;
  const rowsEach = rowAxis >= 0 ? size[rowAxis] : 1;
  const rowStride = rowAxis >= 0 ? strides[rowAxis] : 0;
  const outer = size.slice(0, Math.max(rowAxis, 0));
  const count = outer.reduce((a, d) => a * d, 1);
  const index = new Array<number>(outer.length).fill(0);
  const axisStride = axis < rank - 1 ? strides[axis] : 1;
  let to = 0;
  for (let r = 0; r < count; r++) {
    let from = begin[axis] * axisStride + (rowAxis >= 0 ? begin[rowAxis] * rowStride : 0);
    for (let d = 0; d < outer.length; d++) from += (begin[d] + index[d]) * strides[d];
    copyRows(src, from, rowStride, dst, to, run, rowsEach, run);
    to += run * rowsEach;
    for (let d = outer.length - 1; d >= 0 && ++index[d] === outer[d]; d--) index[d] = 0;
  }
  return out;
}

export const fastSlice =
  (upstream: RawKernel): RawKernel =>
  (raw) => {
    const { inputs, attrs, backend } = raw as unknown as Args;
    const x = (inputs as Record<string, tf.TensorInfo>).x;
    if (x.dtype === 'string') return upstream(raw);
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin as number[], attrs.size as number[]);
    return sliceBox(backend, x, begin, size);
  };

export const fastSplitV =
  (upstream: RawKernel): RawKernel =>
  (raw) => {
    const { inputs, attrs, backend } = raw as unknown as Args;
    const x = (inputs as Record<string, tf.TensorInfo>).x;
    if (x.dtype === 'string') return upstream(raw);
    const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits as number[], axis);
    const rows = tf.util.sizeFromShape(x.shape.slice(0, axis));
    const width = tf.util.sizeFromShape(x.shape.slice(axis + 1)) * sizes[0];
    if (rows > 1 && width < SHORT_ROW && sizes.every((n) => n === sizes[0]))
      return tf.tidy(() => {
        const blocks = tf.transpose(tf.reshape(x as tf.Tensor, [rows, sizes.length, width]), [1, 0, 2]);
        const shape = [...x.shape];
        shape[axis] = sizes[0];
        return sizes.map((_, i) => tf.reshape(tf.slice(blocks, [i, 0, 0], [1, rows, width]), shape));
      }) as unknown as tf.TensorInfo;
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[axis] = s;
      const part = sliceBox(backend, x, [...begin], size);
      begin[axis] += s;
      return part;
    }) as unknown as tf.TensorInfo;
  };

export const fastConcat =
  (upstream: RawKernel): RawKernel =>
  (raw) => {
    const { inputs, attrs, backend } = raw as unknown as Args;
    const list = (Array.isArray(inputs) ? inputs : Object.values(inputs)).filter((t) => tf.util.sizeFromShape(t.shape) > 0);
    if (list.length < 2 || list[0].dtype === 'string') return upstream(raw);
    const axis = tf.util.parseAxisParam(attrs.axis as number, list[0].shape)[0];
    tf.backend_util.assertParamsConsistent(list.map((t) => t.shape), axis);
    const outShape = tf.backend_util.computeOutShape(list.map((t) => t.shape), axis);
    const inner = list.map((t) => tf.util.sizeFromShape(t.shape.slice(axis)));
    const total = inner.reduce((a, d) => a + d, 0);
    const rows = tf.util.sizeFromShape(list[0].shape.slice(0, axis));
    if (rows > 1 && inner[0] < SHORT_ROW && inner.every((n) => n === inner[0])) {
      return tf.tidy(() => {
        const blocks = tf.stack(list.map((t) => tf.reshape(t as tf.Tensor, [rows, inner[0]])));
        return tf.reshape(tf.transpose(blocks, [1, 0, 2]), outShape);
      }) as unknown as tf.TensorInfo;
    }
    const out = backend.makeOutput(outShape, list[0].dtype);
    const dst = backend.typedArrayFromHeap(out);
    const srcs = list.map((t) => backend.typedArrayFromHeap(t));
    let offset = 0;
    for (let i = 0; i < list.length; i++) {
      copyRows(srcs[i], 0, inner[i], dst, offset, total, rows, inner[i]);
      offset += inner[i];
    }
    return out;
  };
