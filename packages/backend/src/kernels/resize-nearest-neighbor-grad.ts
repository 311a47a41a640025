import * as tf from '@tensorflow/tfjs';

// tfjs-backend-cpu 4.22's ResizeNearestNeighborGrad sums the wrong image's pixels when the batch
// is larger than one (every UNet upsampling layer hits this). The gradient of nearest resizing is
// the transpose of a 0/1 selection along each axis; taking the selection from the forward op
// itself keeps alignCorners / halfPixelCenters semantics identical to the forward pass.
export function resizeNearestNeighborGrad(
  images: tf.Tensor4D,
  dy: tf.Tensor4D,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): tf.Tensor4D {
  const [n, h, w, c] = images.shape;
  const [, oh, ow] = dy.shape;
  return tf.tidy(() => {
    const pick = (size: number, out: number, axis: 1 | 2): tf.Tensor2D => {
      const shape: [number, number, number, number] = axis === 1 ? [1, size, 1, 1] : [1, 1, size, 1];
      const iota = tf.reshape(tf.range(0, size, 1, 'float32'), shape) as tf.Tensor4D;
      const target: [number, number] = axis === 1 ? [out, 1] : [1, out];
      const src = tf.image.resizeNearestNeighbor(iota, target, alignCorners, halfPixelCenters);
      return tf.oneHot(tf.cast(tf.round(tf.reshape(src, [out])), 'int32'), size) as tf.Tensor2D;
    };
    const rows = pick(h, oh, 1);
    const cols = pick(w, ow, 2);
    const byRow = tf.reshape(tf.transpose(dy, [1, 0, 2, 3]), [oh, n * ow * c]);
    const summedRows = tf.reshape(tf.matMul(rows, byRow, true, false), [h, n, ow, c]);
    const byCol = tf.reshape(tf.transpose(summedRows, [2, 1, 0, 3]), [ow, n * h * c]);
    const summed = tf.reshape(tf.matMul(cols, byCol, true, false), [w, n, h, c]);
    return tf.transpose(summed, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}
