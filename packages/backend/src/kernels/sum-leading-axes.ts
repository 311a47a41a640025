import * as tf from '@tensorflow/tfjs';
import type { RawKernel } from './zero-copy-identity';

// tfjs-wasm's Sum moves the reduced axes to the back with a transpose first: 2.4 ms to sum a
// [32,32,32,24] map over [0,1,2] (a conv bias gradient), 1.2 ms over [1,2]. Any block of adjacent
// axes followed by kept ones is an average pool with a window the size of the block, which
// XNNPACK runs in 0.33 ms; times the block size, that is the sum.
export const sumLeadingAxesOnXnnpack =
  (upstream: RawKernel): RawKernel =>
  (raw) => {
    const { inputs, attrs } = raw as unknown as { inputs: { x: tf.TensorInfo }; attrs: { axis: number | number[]; keepDims: boolean } };
    const { x } = inputs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
    const first = axes[0];
    const last = axes[axes.length - 1];
    const adjacent = axes.length > 0 && axes.every((a, i) => a === first + i);
    if (!adjacent || last === rank - 1 || x.dtype !== 'float32') return upstream(raw);
    const outer = tf.util.sizeFromShape(x.shape.slice(0, first));
    const block = tf.util.sizeFromShape(x.shape.slice(first, last + 1));
    const inner = tf.util.sizeFromShape(x.shape.slice(last + 1));
    if (block < 16) return upstream(raw);
    const outShape = attrs.keepDims ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : x.shape.filter((_, i) => i < first || i > last);
    return tf.tidy(() => {
      const pooled = tf.avgPool(tf.reshape(x as tf.Tensor, [outer, block, 1, inner]) as tf.Tensor4D, [block, 1], 1, 'valid');
      return tf.reshape(tf.mul(pooled, block), outShape);
    }) as unknown as tf.TensorInfo;
  };
