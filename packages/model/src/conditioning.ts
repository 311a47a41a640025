import * as tf from '@tensorflow/tfjs';
import type { ForwardContext } from './layers/context';
import { linear } from './layers/linear';
import { noiseFeatures } from './layers/noise-embedding';
import { silu } from './layers/norm';

/** Per-sample inputs of the embedding, all prepared by the preconditioning wrapper. */
export interface EmbeddingInputs {
  /** EDM c_noise = ln(sigma) / 4, [N]. */
  cNoise: tf.Tensor1D;
  /** c_noise of sigma_aug, [N]; ignored where hasCondition is 0. */
  cAug: tf.Tensor1D;
  /** 1 where a condition image is given, 0 for a first stage, [N]. */
  hasCondition: tf.Tensor1D;
  /** Class labels [N] int32 (numClasses = null class), or null for a class-free model. */
  classLabels: tf.Tensor1D | null;
  /** Index of the stage's resolution in stageResolutions. */
  stageIndex: number;
}

export interface EmbeddingOptions {
  featureDim: number;
  embedDim: number;
  noiseEmbedding: 'positional' | 'fourier';
  numClasses: number;
  numStages: number;
  resolutionEmbedding: boolean;
  augmentationEmbedding: boolean;
  conditionInput: boolean;
}

/**
 * The vector every block is conditioned on: noise level, plus (each a knob) the condition's
 * augmentation level, a "no condition" flag, the class, and the learned stage (resolution)
 * embedding, summed as in EDM's DDPM++ (class and noise embeddings are added).
 */
export function conditioningEmbedding(ctx: ForwardContext, e: EmbeddingInputs, o: EmbeddingOptions): tf.Tensor2D {
  const n = e.cNoise.shape[0];
  const mlp = (prefix: string, features: tf.Tensor) =>
    linear(ctx, `${prefix}.fc2`, silu(linear(ctx, `${prefix}.fc1`, features, o.embedDim)), o.embedDim);
  let emb = mlp('emb.noise', noiseFeatures(ctx, 'emb.noise', e.cNoise, o.featureDim, o.noiseEmbedding));
  const table = (name: string, rows: number, ids: tf.Tensor1D) =>
    tf.gather(ctx.store.param(`${name}.weight`, [rows, o.embedDim], { kind: 'normal', std: 0.5 }), ids);
  if (o.conditionInput) {
    if (o.augmentationEmbedding) {
      const aug = mlp('emb.aug', noiseFeatures(ctx, 'emb.aug', e.cAug, o.featureDim, o.noiseEmbedding));
      emb = tf.add(emb, tf.mul(aug, tf.reshape(e.hasCondition, [n, 1])));
    }
    emb = tf.add(emb, table('emb.condition_flag', 2, tf.cast(e.hasCondition, 'int32') as tf.Tensor1D));
  }
  if (o.numClasses > 0) {
    const labels = e.classLabels ?? tf.fill([n], o.numClasses, 'int32');
    emb = tf.add(emb, table('emb.class', o.numClasses + 1, labels as tf.Tensor1D));
  }
  if (o.resolutionEmbedding && o.numStages > 1) {
    emb = tf.add(emb, table('emb.stage', o.numStages, tf.fill([n], e.stageIndex, 'int32') as tf.Tensor1D));
  }
  return silu(emb) as tf.Tensor2D;
}
