import * as tf from '@tensorflow/tfjs';

// wasm has no Conv2DBackpropFilter (tensorflow/tfjs#8474). The filter gradient is itself a
// convolution: swap the batch and channel roles so that channels-in become the batch, the batch
// becomes the contracted channel axis, and dy becomes a (large) filter dilated by the stride.
// That runs on XNNPACK's conv at forward-conv speed instead of a naive loop.
export function conv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: tf.backend_util.PadInfo | 'valid' | 'same' | number | tf.backend_util.ExplicitPadding,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  const [fh, fw] = filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    filterShape,
    strides,
    1,
    pad as 'valid',
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { top, bottom, left, right } = info.padInfo;
  // A 1x1, stride-1 filter gradient is x^T dy over all pixels; as a conv it would pack dy as a
  // [h, w] filter (26 ms for [32,32,32,48] -> 24 channels against 11 ms this way).
  if (fh === 1 && fw === 1 && info.strideHeight === 1 && info.strideWidth === 1 && top === 0 && left === 0 && bottom === 0 && right === 0)
    return tf.tidy(() => {
      const rows = x.shape[0] * x.shape[1] * x.shape[2];
      const product = tf.matMul(tf.transpose(tf.reshape(x, [rows, x.shape[3]])) as tf.Tensor2D, tf.reshape(dy, [rows, dy.shape[3]]) as tf.Tensor2D);
      return tf.reshape(product, filterShape);
    });
  return tf.tidy(() => {
    // The padding goes to the conv (XNNPACK pads implicitly) rather than through a Pad kernel.
    const xT = tf.transpose(x, [3, 1, 2, 0]);
    const dyT = tf.transpose(dy, [1, 2, 0, 3]);
    const padding: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [top, Math.max(bottom, 0)],
      [left, Math.max(right, 0)],
      [0, 0],
    ];
    const full = tf.conv2d(xT, dyT as tf.Tensor4D, 1, padding, 'NHWC', [info.strideHeight, info.strideWidth]);
    const cropped = tf.slice(full, [0, 0, 0, 0], [-1, fh, fw, -1]);
    return tf.transpose(cropped, [1, 2, 0, 3]);
  });
}
