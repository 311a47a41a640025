import * as tf from '@tensorflow/tfjs';
import type { Ops, Value } from './ops';
import { groupNormTfjs } from './tfjs-group-norm';

const T = (v: Value) => v as tf.Tensor;
const T4 = (v: Value) => v as tf.Tensor4D;

/** `v` [N] shaped to broadcast over the other axes of a rank-`rank` value. */
const perSample = (v: Value, rank: number) => tf.reshape(T(v), [-1, ...Array<number>(rank - 1).fill(1)]);

/** The op set run eagerly by TensorFlow.js: differentiable, so it is what training uses. */
export const tfjsOps: Ops = {
  weight: (v) => v,
  constant: (values, shape) => tf.tensor(values, shape),

  conv2d: (x, w, b, stride) => tf.add(tf.conv2d(T4(x), T4(w), stride, 'same'), T(b)),
  linear(x, w, b) {
    const inDim = x.shape[x.shape.length - 1];
    const out = w.shape[1];
    let y = tf.matMul(tf.reshape(T(x), [-1, inDim]), T(w) as tf.Tensor2D);
    if (b) y = tf.add(y, T(b));
    return tf.reshape(y, [...x.shape.slice(0, -1), out]);
  },
  groupNorm: (x, gamma, beta, groups, eps) => groupNormTfjs(T4(x), T(gamma), T(beta), groups, eps),
  layerNorm(x, eps) {
    const { mean, variance } = tf.moments(T(x), -1, true);
    return tf.mul(tf.sub(T(x), mean), tf.rsqrt(tf.add(variance, eps)));
  },
  silu: (x) => tf.mul(T(x), tf.sigmoid(T(x))),
  relu: (x) => tf.relu(T(x)),
  gelu(x) {
    const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(T(x), tf.mul(0.044715, tf.pow(T(x), 3))));
    return tf.mul(tf.mul(0.5, T(x)), tf.add(1, tf.tanh(inner)));
  },

  add: (a, b) => tf.add(T(a), T(b)),
  multiply: (a, b) => tf.mul(T(a), T(b)),
  scale: (x, k) => tf.mul(T(x), k),
  scalePerSample: (x, v) => tf.mul(T(x), perSample(v, x.shape.length)),
  addChannelBias: (x, v) => tf.add(T(x), tf.reshape(T(v), [-1, 1, 1, x.shape[3]])),
  modulate: (x, shift, scale) => tf.add(tf.mul(T(x), tf.add(1, tf.expandDims(T(scale), 1))), tf.expandDims(T(shift), 1)),
  gatedAdd: (h, gate, y) => tf.add(T(h), tf.mul(tf.expandDims(T(gate), 1), T(y))),

  concatChannels: (a, b) => tf.concat([T4(a), T4(b)], 3),
  upsample2x: (x) => tf.image.resizeNearestNeighbor(T4(x), [x.shape[1] * 2, x.shape[2] * 2]),
  toTokens: (x) => tf.reshape(T(x), [-1, x.shape[1] * x.shape[2], x.shape[3]]),
  fromTokens: (t, h, w) => tf.reshape(T(t), [-1, h, w, t.shape[2]]),
  patchify(x, p) {
    const [, h, w, c] = x.shape;
    const grid = tf.reshape(T(x), [-1, h / p, p, w / p, p, c]);
    return tf.reshape(tf.transpose(grid, [0, 1, 3, 2, 4, 5]), [-1, (h / p) * (w / p), p * p * c]);
  },
  unpatchify(t, gh, gw, p, channels) {
    const grid = tf.reshape(T(t), [-1, gh, gw, p, p, channels]);
    return tf.reshape(tf.transpose(grid, [0, 1, 3, 2, 4, 5]), [-1, gh * p, gw * p, channels]);
  },
  split: (x, parts) => tf.split(T(x), parts, -1),
  maxPool2: (x) => tf.maxPool(T4(x), 2, 2, 'valid'),
  flatten: (x) => tf.reshape(T(x), [-1, x.shape[1] * x.shape[2] * x.shape[3]]),

  attention(q, k, v, heads) {
    const [n, t, d] = q.shape;
    const dh = d / heads;
    // [N, T, H*dh] -> [N*H, T, dh]: 3-D batched matmuls
    const perHead = (x: Value) => (heads === 1 ? T(x) : tf.reshape(tf.transpose(tf.reshape(T(x), [n, t, heads, dh]), [0, 2, 1, 3]), [n * heads, t, dh])) as tf.Tensor3D;
    const weights = tf.softmax(tf.mul(tf.matMul(perHead(q), perHead(k), false, true), 1 / Math.sqrt(dh)));
    const attended = tf.matMul(weights, perHead(v));
    return heads === 1 ? attended : tf.reshape(tf.transpose(tf.reshape(attended, [n, heads, t, dh]), [0, 2, 1, 3]), [n, t, d]);
  },
  gather: (table, ids) => tf.gather(T(table), T(ids).dtype === 'int32' ? T(ids) : tf.cast(T(ids), 'int32')),
  row: (table, index) => tf.slice(T(table), [index, 0], [1, -1]),
  sinusoid(values, freqs, k) {
    const args = tf.mul(tf.reshape(tf.mul(T(values), k), [-1, 1]), tf.reshape(T(freqs), [1, -1]));
    return tf.concat([tf.cos(args), tf.sin(args)], 1);
  },
};
