import * as tf from '@tensorflow/tfjs';

// The gradient of tf.gather (embedding lookups: class and stage embeddings) needs
// UnsortedSegmentSum, which wasm lacks. A one-hot matrix product computes it; ids outside
// [0, numSegments) get an all-zero one-hot row and are dropped, as in TensorFlow.
export function unsortedSegmentSum(x: tf.Tensor, segmentIds: tf.Tensor, numSegments: number): tf.Tensor {
  return tf.tidy(() => {
    const idsRank = segmentIds.shape.length;
    const rest = x.shape.slice(idsRank);
    const m = segmentIds.size;
    const flatX = tf.reshape(x, [m, rest.reduce((a, b) => a * b, 1)]);
    const oneHot = tf.oneHot(tf.cast(tf.reshape(segmentIds, [m]), 'int32'), numSegments);
    const summed = tf.matMul(tf.transpose(oneHot), tf.cast(flatX, 'float32'));
    return tf.cast(tf.reshape(summed, [numSegments, ...rest]), x.dtype);
  });
}
