import * as tf from '@tensorflow/tfjs';

// wasm's own Conv2DBackpropInput is a scalar loop, about 9x slower than its XNNPACK forward conv.
// The input gradient is a forward conv of dy (dilated by the stride, padded to "full") with the
// spatially flipped, channel-swapped filter, so it can run on the fast kernel too.
export function conv2dBackpropInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  strides: number | [number, number],
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  const [fh, fw] = filter.shape;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape,
    strides,
    1,
    pad as 'valid',
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const [, h, w] = inputShape;
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  return tf.tidy((): tf.Tensor4D => {
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    // Stride 1 with odd, centred padding ('same' for odd kernels): the full padding of dy is the
    // same padding again, so the conv pads implicitly and no Pad or Slice kernel runs.
    if (sh === 1 && sw === 1 && fh % 2 === 1 && fw % 2 === 1 && top === (fh - 1) / 2 && left === (fw - 1) / 2 && dy.shape[1] === h && dy.shape[2] === w)
      return tf.conv2d(dy, flipped, 1, 'same');
    const dilated = dilate(dy, sh, sw);
    const hd = dilated.shape[1];
    const wd = dilated.shape[2];
    const padTop = fh - 1 - top;
    const padLeft = fw - 1 - left;
    const padBottom = h + fh - 1 - hd - padTop;
    const padRight = w + fw - 1 - wd - padLeft;
    const padded = tf.pad(dilated, [
      [0, 0],
      [Math.max(padTop, 0), Math.max(padBottom, 0)],
      [Math.max(padLeft, 0), Math.max(padRight, 0)],
      [0, 0],
    ]);
    // Negative padding (rare explicit-padding cases) means cropping instead.
    const cropped = tf.slice(
      padded,
      [0, Math.max(-padTop, 0), Math.max(-padLeft, 0), 0],
      [-1, h + fh - 1, w + fw - 1, -1],
    );
    return tf.conv2d(cropped, flipped, 1, 'valid');
  });
}

/** Inserts (s - 1) zeros between neighbouring pixels. */
function dilate(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return x;
  const [n, ho, wo, c] = x.shape;
  const spread = tf.pad(tf.reshape(x, [n, ho, 1, wo, 1, c]), [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  const flat = tf.reshape(spread, [n, ho * sh, wo * sw, c]) as tf.Tensor4D;
  return tf.slice(flat, [0, 0, 0, 0], [-1, (ho - 1) * sh + 1, (wo - 1) * sw + 1, -1]);
}
