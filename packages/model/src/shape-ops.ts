import type * as tf from '@tensorflow/tfjs';
import type { Ops, Value } from './ops';

const v = (shape: readonly number[]): Value => ({ shape: [...shape] });

/**
 * The op set interpreted on shapes alone: no tensor is allocated and nothing is computed. Run
 * over a dry-run ParamStore it lists a network's weights and counts its FLOPs, so a config read
 * from a file can be checked against the file's tensors before the model is built.
 */
export const shapeOps: Ops = {
  weight: (w: tf.Variable) => v(w.shape),
  constant: (_values, shape) => v(shape),
  conv2d: (x, w, _b, stride) => v([x.shape[0], Math.ceil(x.shape[1] / stride), Math.ceil(x.shape[2] / stride), w.shape[3]]),
  linear: (x, w) => v([...x.shape.slice(0, -1), w.shape[1]]),
  groupNorm: (x) => v(x.shape),
  layerNorm: (x) => v(x.shape),
  silu: (x) => v(x.shape),
  relu: (x) => v(x.shape),
  gelu: (x) => v(x.shape),
  add: (a, b) => v(a.shape.map((d, i) => (d === 1 ? b.shape[i] : d))),
  multiply: (a) => v(a.shape),
  scale: (x) => v(x.shape),
  scalePerSample: (x) => v(x.shape),
  addChannelBias: (x) => v(x.shape),
  modulate: (x) => v(x.shape),
  gatedAdd: (h) => v(h.shape),
  concatChannels: (a, b) => v([...a.shape.slice(0, 3), a.shape[3] + b.shape[3]]),
  upsample2x: (x) => v([x.shape[0], 2 * x.shape[1], 2 * x.shape[2], x.shape[3]]),
  toTokens: (x) => v([x.shape[0], x.shape[1] * x.shape[2], x.shape[3]]),
  fromTokens: (t, h, w) => v([t.shape[0], h, w, t.shape[2]]),
  patchify: (x, p) => v([x.shape[0], (x.shape[1] / p) * (x.shape[2] / p), p * p * x.shape[3]]),
  unpatchify: (t, gh, gw, p, channels) => v([t.shape[0], gh * p, gw * p, channels]),
  split: (x, parts) => Array.from({ length: parts }, () => v([...x.shape.slice(0, -1), x.shape[x.shape.length - 1] / parts])),
  maxPool2: (x) => v([x.shape[0], Math.floor(x.shape[1] / 2), Math.floor(x.shape[2] / 2), x.shape[3]]),
  flatten: (x) => v([x.shape[0], x.shape[1] * x.shape[2] * x.shape[3]]),
  attention: (q) => v(q.shape),
  gather: (table, ids) => v([ids.shape[0], table.shape[1]]),
  row: (table) => v([1, table.shape[1]]),
  sinusoid: (values, freqs) => v([values.shape[0], 2 * freqs.shape[0]]),
};
