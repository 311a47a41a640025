import type { Value } from './ops';
import { opsOf, param, type ForwardContext } from './layers/context';
import { linear } from './layers/linear';
import { noiseFeatures } from './layers/noise-embedding';

/** Per-sample inputs of the embedding, all prepared by the preconditioning wrapper. */
export interface EmbeddingInputs {
  /** EDM c_noise = ln(sigma) / 4, [N]. */
  cNoise: Value;
  /** c_noise of sigma_aug, [N]; ignored where hasCondition is 0. */
  cAug: Value;
  /** 1 where a condition image is given, 0 for a first stage, [N] float. */
  hasCondition: Value;
  /** Class labels [N] int32 (numClasses = null class), or null: the null class for every sample. */
  classLabels: Value | null;
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
export function conditioningEmbedding(ctx: ForwardContext, e: EmbeddingInputs, o: EmbeddingOptions): Value {
  const ops = opsOf(ctx);
  const mlp = (prefix: string, features: Value) =>
    linear(ctx, `${prefix}.fc2`, ops.silu(linear(ctx, `${prefix}.fc1`, features, o.embedDim)), o.embedDim);
  let emb = mlp('emb.noise', noiseFeatures(ctx, 'emb.noise', e.cNoise, o.featureDim, o.noiseEmbedding));
  const table = (name: string, rows: number) => param(ctx, `${name}.weight`, [rows, o.embedDim], { kind: 'normal', std: 0.5 });
  if (o.conditionInput) {
    if (o.augmentationEmbedding) {
      const aug = mlp('emb.aug', noiseFeatures(ctx, 'emb.aug', e.cAug, o.featureDim, o.noiseEmbedding));
      emb = ops.add(emb, ops.scalePerSample(aug, e.hasCondition));
    }
    emb = ops.add(emb, ops.gather(table('emb.condition_flag', 2), e.hasCondition));
  }
  if (o.numClasses > 0) {
    const classes = table('emb.class', o.numClasses + 1);
    emb = ops.add(emb, e.classLabels ? ops.gather(classes, e.classLabels) : ops.row(classes, o.numClasses));
  }
  if (o.resolutionEmbedding && o.numStages > 1) emb = ops.add(emb, ops.row(table('emb.stage', o.numStages), e.stageIndex));
  return ops.silu(emb);
}
