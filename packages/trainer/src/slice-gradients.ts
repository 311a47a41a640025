import * as tf from '@tensorflow/tfjs';
import { SampleMasks, type EdmDenoiser, type TrainingSlice } from '@lowdiff/model';
import { edmLoss } from './edm-loss';

/** One worker's share of a training step (the model package's TrainingSlice, which both engines take). */
export type StepSlice = TrainingSlice;

/**
 * The slice's share of the step's loss and gradients: the EDM loss averaged over the whole batch
 * restricted to these rows (mean over the slice times count / total), so the shares of all
 * slices sum to the loss and gradient of the whole batch. Gradients by variable name.
 */
export function sliceGradients(model: EdmDenoiser, s: StepSlice): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  return tf.tidy(() => {
    const shape = [s.count, s.resolution, s.resolution, s.channels];
    const call = {
      resolution: s.resolution,
      condition: s.condition ? tf.tensor4d(s.condition, shape as [number, number, number, number]) : null,
      sigmaAug: s.sigmaAug ?? undefined,
      classLabels: s.labels ? tf.tensor1d(s.labels, 'int32') : null,
    };
    const y = tf.tensor4d(s.y, shape as [number, number, number, number]);
    const noise = tf.tensor4d(s.noise, shape as [number, number, number, number]);
    const masks = new SampleMasks(s.maskSeed, s.start);
    const share = (s.lossWeight * s.count) / s.total;
    return tf.variableGrads(() => tf.mul(edmLoss(model, y, s.sigma, noise, call, { training: true, rng: masks }), share) as tf.Scalar, model.trainableVariables());
  });
}

/** Rows [start, start + count) of an NHWC (or per-sample) array of `total` rows. */
export function rows<T extends Float32Array | Int32Array>(values: T, total: number, start: number, count: number): T {
  const per = values.length / total;
  return values.slice(start * per, (start + count) * per) as T;
}
