import * as tf from '@tensorflow/tfjs';

export type ReconstructionLoss = 'l1' | 'l2';

/** Mean absolute (l1) or squared (l2) error per element. */
export function reconstructionLoss(output: tf.Tensor, target: tf.Tensor, kind: ReconstructionLoss): tf.Scalar {
  return tf.tidy(() => {
    const d = tf.sub(output, target);
    return tf.mean(kind === 'l1' ? tf.abs(d) : tf.square(d)) as tf.Scalar;
  });
}

/**
 * KL(N(mean, exp(logvar)) || N(0, 1)) per latent element, averaged:
 * 0.5 * (mean^2 + exp(logvar) - 1 - logvar). Averaging (not summing) keeps the weight `beta`
 * independent of the latent size.
 */
export function klDivergence(mean: tf.Tensor, logvar: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.mul(0.5, tf.sub(tf.sub(tf.add(tf.square(mean), tf.exp(logvar)), 1), logvar))) as tf.Scalar);
}
