import * as tf from '@tensorflow/tfjs';

/**
 * GroupNorm over NHWC for TensorFlow.js, with its gradient written out.
 *
 * Group statistics are products with a [pixels * channels, groups] selector (1/m where an element
 * belongs to a group): plain 2-D matmuls, which tfjs-wasm runs on XNNPACK, where sums over
 * non-trailing axes or batched matmuls take scalar loops. The backward pass is the closed form
 *   dx = rstd * (dxhat - mean_g(dxhat) - xhat * mean_g(dxhat * xhat)),   dxhat = dy * gamma,
 * a dozen kernels where autodiff through the forward ops launched ~40, each with saved copies.
 */
export function groupNormTfjs(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number, eps: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const size = h * w * c;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, gIn, bIn, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const select = selector(size, c, groups);
    const expand = expander(c, groups);
    const flat = tf.reshape(xIn, [n, size]) as tf.Tensor2D;
    const mean = tf.matMul(flat, select);
    const variance = tf.relu(tf.sub(tf.matMul(tf.square(flat) as tf.Tensor2D, select), tf.square(mean)));
    const rstdC = tf.matMul(tf.rsqrt(tf.add(variance, eps)) as tf.Tensor2D, expand);
    const meanC = tf.matMul(mean, expand);
    const scale = tf.mul(rstdC, gIn);
    const shift = tf.sub(bIn, tf.mul(meanC, scale));
    save([xIn, gIn, select, expand, rstdC, meanC]);
    return {
      value: tf.add(tf.mul(xIn, perChannel(scale, n, c)), perChannel(shift, n, c)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, gs, sel, exp, rstd, mu] = saved as [tf.Tensor, tf.Tensor, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const xhat = tf.mul(tf.sub(xs, perChannel(mu, n, c)), perChannel(rstd, n, c));
        const dyXhat = tf.mul(dy, xhat);
        const dxhat = tf.mul(dy, gs);
        const groupMean = (t: tf.Tensor) => tf.matMul(tf.matMul(tf.reshape(t, [n, size]) as tf.Tensor2D, sel), exp);
        const a = tf.mul(groupMean(dxhat), rstd);
        const b = tf.mul(groupMean(tf.mul(dyXhat, gs)), rstd);
        const dx = tf.sub(tf.sub(tf.mul(dxhat, perChannel(rstd, n, c)), perChannel(a, n, c)), tf.mul(xhat, perChannel(b, n, c)));
        return [dx, sumOverPixels(dyXhat, c), sumOverPixels(dy, c)];
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}

const perChannel = (t: tf.Tensor, n: number, c: number) => tf.reshape(t, [n, 1, 1, c]);

/** Sum over every axis but the last, as a [1, rows] x [rows, c] matmul. */
function sumOverPixels(t: tf.Tensor, c: number): tf.Tensor {
  const rows = t.size / c;
  return tf.reshape(tf.matMul(tf.ones([1, rows]) as tf.Tensor2D, tf.reshape(t, [rows, c]) as tf.Tensor2D), [c]);
}

// The selector values depend on the shape only; kept as plain arrays (not tensors) so that no
// tensor outlives a call.
const selectorValues = new Map<string, Float32Array>();

function selector(size: number, c: number, groups: number): tf.Tensor2D {
  const key = `${size}/${c}/${groups}`;
  let values = selectorValues.get(key);
  if (!values) {
    values = new Float32Array(size * groups);
    const perGroup = c / groups;
    const m = size / groups;
    for (let i = 0; i < size; i++) values[i * groups + Math.floor((i % c) / perGroup)] = 1 / m;
    selectorValues.set(key, values);
  }
  return tf.tensor2d(values, [size, groups]);
}

function expander(c: number, groups: number): tf.Tensor2D {
  const values = new Float32Array(groups * c);
  const perGroup = c / groups;
  for (let ch = 0; ch < c; ch++) values[Math.floor(ch / perGroup) * c + ch] = 1;
  return tf.tensor2d(values, [groups, c]);
}
