import * as tf from '@tensorflow/tfjs';
import { edmPreconditioning } from '@lowdiff/schedule';

/**
 * EDM's preconditioning, per sample:
 *   D(x; sigma) = c_skip(sigma) x + c_out(sigma) F(c_in(sigma) x, c_noise(sigma))
 * with c_skip, c_out, c_in, c_noise from @lowdiff/schedule. `network` receives the scaled input
 * and c_noise [N] and returns F.
 */
export function precondition(
  x: tf.Tensor4D,
  sigma: Float32Array,
  sigmaData: number,
  network: (scaledInput: tf.Tensor4D, cNoise: tf.Tensor1D) => tf.Tensor4D,
): tf.Tensor4D {
  const n = x.shape[0];
  const coef = Array.from(sigma, (s) => edmPreconditioning(s, sigmaData));
  const column = (pick: (c: (typeof coef)[number]) => number) => tf.tensor4d(coef.map(pick), [n, 1, 1, 1]);
  const F = network(tf.mul(x, column((c) => c.cIn)), tf.tensor1d(coef.map((c) => c.cNoise)));
  return tf.add(tf.mul(x, column((c) => c.cSkip)), tf.mul(F, column((c) => c.cOut)));
}
