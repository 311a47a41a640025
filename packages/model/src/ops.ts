import type * as tf from '@tensorflow/tfjs';

/**
 * A value an interpreter computes with: a tfjs tensor, or a named value of an ONNX graph. Its
 * `shape` is the logical one (feature maps NHWC, tokens [N, T, D]); an ONNX graph's batch
 * dimension is -1, since the graph serves any batch size.
 */
export interface Value {
  readonly shape: readonly number[];
}

/**
 * The op set the networks are written against. Each op is one layer-level idea, so that an
 * interpreter can pick its own layout and fusions: tfjs runs them eagerly (and differentiably,
 * for training); the ONNX interpreter records them as a graph that runs NCHW on ONNX Runtime.
 * The networks never touch a tensor library directly, so both interpretations stay equal.
 */
export interface Ops {
  /** A weight of the model, by its variable. */
  weight(v: tf.Variable): Value;
  /** A fixed float tensor (e.g. positions), independent of the batch. */
  constant(values: Float32Array, shape: number[]): Value;

  /** "Same"-padded 2-D convolution of a feature map with HWIO weights `w` and bias `b`. */
  conv2d(x: Value, w: Value, b: Value, stride: 1 | 2): Value;
  /** x W (+ b) over the last axis of [N, D] or [N, T, D]. */
  linear(x: Value, w: Value, b: Value | null): Value;
  /** GroupNorm of a feature map with per-channel scale and shift (biased variance). */
  groupNorm(x: Value, gamma: Value, beta: Value, groups: number, eps: number): Value;
  /** LayerNorm over the last axis, without affine parameters. */
  layerNorm(x: Value, eps: number): Value;
  silu(x: Value): Value;
  relu(x: Value): Value;
  /** GELU, tanh approximation. */
  gelu(x: Value): Value;

  /** Elementwise sum of two values of the same shape, or of a value and a [1, D] row ([N, D] values only). */
  add(a: Value, b: Value): Value;
  /** Elementwise product of two values of the same shape (e.g. a dropout mask). */
  multiply(a: Value, b: Value): Value;
  /** x * k for a number k. */
  scale(x: Value, k: number): Value;
  /** x * v[i] for each sample i; v is [N]. */
  scalePerSample(x: Value, v: Value): Value;
  /** A feature map plus a per-sample channel vector v [N, C], broadcast over pixels. */
  addChannelBias(x: Value, v: Value): Value;
  /** x * (1 + scale) + shift over tokens [N, T, D], with shift and scale [N, D] (adaLN). */
  modulate(x: Value, shift: Value, scale: Value): Value;
  /** h + gate * y over tokens [N, T, D], gate [N, D] (adaLN-Zero's gated residual). */
  gatedAdd(h: Value, gate: Value, y: Value): Value;

  /** Feature maps joined along channels. */
  concatChannels(a: Value, b: Value): Value;
  /** Nearest-neighbour upsampling of a feature map by 2. */
  upsample2x(x: Value): Value;
  /** [N, H, W, C] feature map -> [N, H*W, C] tokens (row-major pixels). */
  toTokens(x: Value): Value;
  /** [N, H*W, C] tokens -> [N, H, W, C] feature map. */
  fromTokens(t: Value, h: number, w: number): Value;
  /** [N, H, W, C] -> [N, (H/p)*(W/p), p*p*C]: non-overlapping p x p patches as tokens. */
  patchify(x: Value, p: number): Value;
  /** The inverse of `patchify` for a grid of gh x gw patches with `channels` channels. */
  unpatchify(t: Value, gh: number, gw: number, p: number, channels: number): Value;
  /** Splits the last axis into `parts` equal values. */
  split(x: Value, parts: number): Value[];
  /** 2x2 max pooling with stride 2 of a feature map. */
  maxPool2(x: Value): Value;
  /** [N, H, W, C] feature map -> [N, H*W*C] in NHWC order. */
  flatten(x: Value): Value;

  /** softmax(q k^T / sqrt(dh)) v per head for q, k, v [N, T, D]; returns [N, T, D]. */
  attention(q: Value, k: Value, v: Value, heads: number): Value;
  /** Rows of `table` [R, D] at integer-valued ids [N] (int labels, or 0/1 floats): [N, D]. */
  gather(table: Value, ids: Value): Value;
  /** Row `index` of `table` [R, D] as [1, D], to add to every sample. */
  row(table: Value, index: number): Value;
  /** [cos(k v f), sin(k v f)] for values v [N] and frequencies f [F]: [N, 2F]. */
  sinusoid(values: Value, freqs: Value, k: number): Value;
}
