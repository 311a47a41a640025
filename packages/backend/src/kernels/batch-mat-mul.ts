import * as tf from '@tensorflow/tfjs';
import type { RawKernel } from './zero-copy-identity';

// tfjs-wasm runs BatchMatMul on XNNPACK only for one un-transposed 2-D product; a batch or a
// transposed operand takes a scalar triple loop (~1 GFLOP/s). Attention (q k^T, weights v) and
// every linear layer's backward (x^T dy, dy w^T) land there. Transposing explicitly and running
// XNNPACK is 5-12x faster for a transposed 2-D product (measured: [2048,72] x [24,72]^T 2.70 ->
// 0.22 ms). A short batch becomes one product per entry (each costs ~0.1 ms of op dispatch); a
// longer one becomes one depthwise convolution, which XNNPACK runs as a grouped GEMM: the batch
// is the channel axis, the contracted axis the kernel's width, the output columns its channel
// multiplier (attention's 32 x [64 x 24] x [24 x 64]: 2.66 -> 0.94 ms).
const MIN_WORK = 4096; // multiply-adds per product below which the loop wins
const MAX_SPLIT = 4;

interface MatMulArgs {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  attrs: { transposeA: boolean; transposeB: boolean };
}

export const batchMatMulOnXnnpack =
  (upstream: RawKernel): RawKernel =>
  (raw) => {
    const args = raw as unknown as MatMulArgs;
    const { a, b } = args.inputs;
    const { transposeA, transposeB } = args.attrs;
    const batchA = a.shape.slice(0, -2).reduce((p, d) => p * d, 1);
    const batchB = b.shape.slice(0, -2).reduce((p, d) => p * d, 1);
    const [ra, ca] = a.shape.slice(-2);
    const [rb, cb] = b.shape.slice(-2);
    const m = transposeA ? ca : ra;
    const k = transposeA ? ra : ca;
    const n = transposeB ? rb : cb;
    const batch = Math.max(batchA, batchB);
    const plain = batch === 1 && !transposeA && !transposeB;
    const outer = a.shape.length >= b.shape.length ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
    const grouped = batch > MAX_SPLIT;
    if (plain || m * n * k < MIN_WORK || (grouped && batchA !== batchB) || a.dtype !== 'float32' || b.dtype !== 'float32') return upstream(raw);
    return tf.tidy(() => {
      const as3 = tf.reshape(a as tf.Tensor, [batchA, ra, ca]);
      const bs3 = tf.reshape(b as tf.Tensor, [batchB, rb, cb]);
      if (grouped) {
        const x = tf.reshape(tf.transpose(as3, transposeA ? [2, 1, 0] : [1, 2, 0]), [1, m, k, batch]) as tf.Tensor4D;
        const f = tf.reshape(tf.transpose(bs3, transposeB ? [2, 0, 1] : [1, 0, 2]), [1, k, batch, n]) as tf.Tensor4D;
        const o = tf.depthwiseConv2d(x, f, 1, 'valid'); // [1, m, 1, batch * n]
        return tf.reshape(tf.transpose(tf.reshape(o, [m, batch, n]), [1, 0, 2]), [...outer, m, n]);
      }
      const at = transposeA ? tf.transpose(as3, [0, 2, 1]) : as3;
      const bt = transposeB ? tf.transpose(bs3, [0, 2, 1]) : bs3;
      const entry = (t: tf.Tensor, rows: number, cols: number, i: number) =>
        tf.reshape(t.shape[0] === 1 ? t : tf.slice(t, [i, 0, 0], [1, rows, cols]), [rows, cols]) as tf.Tensor2D;
      const products: tf.Tensor[] = [];
      for (let i = 0; i < batch; i++) products.push(tf.matMul(entry(at, m, k, i), entry(bt, k, n, i)));
      const out = batch === 1 ? products[0] : tf.stack(products);
      return tf.reshape(out, [...outer, m, n]);
    }) as unknown as tf.TensorInfo;
  };
