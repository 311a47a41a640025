import * as tf from '@tensorflow/tfjs';

/**
 * GroupNorm over NHWC for TensorFlow.js, with its gradient written out.
 *
 * Group statistics are per-channel means over the pixels (a global average pool, which tfjs-wasm
 * runs on XNNPACK, where its mean over non-trailing axes transposes first) then a [channels,
 * groups] product; the same pool gives the scale and shift gradients. The backward pass is the
 * closed form
 *   dx = rstd * (dxhat - mean_g(dxhat) - xhat * mean_g(dxhat * xhat)),   dxhat = dy * gamma,
 * a dozen kernels where autodiff through the forward ops launched ~40, each with saved copies.
 */
export function groupNormTfjs(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number, eps: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, gIn, bIn, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const toGroups = reducer(c, groups);
    const toChannels = expander(c, groups);
    const groupMean = (t: tf.Tensor) => tf.matMul(channelMeans(t, n, h, w, c), toGroups);
    const mean = groupMean(xIn);
    const variance = tf.relu(tf.sub(groupMean(tf.square(xIn)), tf.square(mean)));
    const rstdC = tf.matMul(tf.rsqrt(tf.add(variance, eps)) as tf.Tensor2D, toChannels);
    const meanC = tf.matMul(mean, toChannels);
    const scale = tf.mul(rstdC, gIn);
    const shift = tf.sub(bIn, tf.mul(meanC, scale));
    save([xIn, gIn, toGroups, toChannels, rstdC, meanC]);
    return {
      value: tf.add(tf.mul(xIn, perChannel(scale, n, c)), perChannel(shift, n, c)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, gs, tg, tc, rstd, mu] = saved as [tf.Tensor, tf.Tensor, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const xhat = tf.mul(tf.sub(xs, perChannel(mu, n, c)), perChannel(rstd, n, c));
        const dyXhat = tf.mul(dy, xhat);
        const dxhat = tf.mul(dy, gs);
        // Per-(sample, channel) means of dy and dy * xhat give every reduction the gradient needs.
        const dyMean = channelMeans(dy, n, h, w, c);
        const dyXhatMean = channelMeans(dyXhat, n, h, w, c);
        const a = tf.mul(tf.matMul(tf.matMul(tf.mul(dyMean, gs), tg), tc), rstd);
        const b = tf.mul(tf.matMul(tf.matMul(tf.mul(dyXhatMean, gs), tg), tc), rstd);
        const dx = tf.sub(tf.sub(tf.mul(dxhat, perChannel(rstd, n, c)), perChannel(a, n, c)), tf.mul(xhat, perChannel(b, n, c)));
        const pixels = h * w;
        return [dx, tf.mul(tf.sum(dyXhatMean, 0), pixels), tf.mul(tf.sum(dyMean, 0), pixels)];
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}

/** [n, c] means over each sample's pixels. */
const channelMeans = (t: tf.Tensor, n: number, h: number, w: number, c: number) =>
  tf.reshape(tf.avgPool(t as tf.Tensor4D, [h, w], 1, 'valid'), [n, c]) as tf.Tensor2D;

const perChannel = (t: tf.Tensor, n: number, c: number) => tf.reshape(t, [n, 1, 1, c]);

/** [c, groups]: averages each group's channel means. */
function reducer(c: number, groups: number): tf.Tensor2D {
  const values = new Float32Array(c * groups);
  const perGroup = c / groups;
  for (let ch = 0; ch < c; ch++) values[ch * groups + Math.floor(ch / perGroup)] = 1 / perGroup;
  return tf.tensor2d(values, [c, groups]);
}

function expander(c: number, groups: number): tf.Tensor2D {
  const values = new Float32Array(groups * c);
  const perGroup = c / groups;
  for (let ch = 0; ch < c; ch++) values[Math.floor(ch / perGroup) * c + ch] = 1;
  return tf.tensor2d(values, [groups, c]);
}
