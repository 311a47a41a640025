import { loadFashionMnist, type ImageDataset } from '@lowdiff/data';
import type { ModelConfigInput } from '@lowdiff/model';
import type { TrainingConfigInput } from '../src';

/** 512 real Fashion-MNIST test images at 16x16: small enough for CI, real enough to learn from. */
export function smallFashion(): Promise<ImageDataset> {
  return loadFashionMnist({ split: 'test', size: 16, fit: 'resize', limit: 512 });
}

export const TINY_MODEL: ModelConfigInput = {
  kind: 'unet',
  channels: 1,
  resolution: 16,
  stageResolutions: [4, 8, 16],
  numClasses: 10,
  baseChannels: 16,
  channelMult: [1, 1, 1],
  numResBlocks: 1,
  attentionResolutions: [4],
  groupNormGroups: 4,
  dropout: 0.1,
};

export const TINY_TRAINING: TrainingConfigInput = {
  stages: [
    { resolution: 4, probability: 1, conditioned: false },
    { resolution: 8, probability: 1, conditioned: true },
    { resolution: 16, probability: 1, conditioned: true },
    { resolution: 16, probability: 1, conditioned: false },
  ],
  batchSize: 8,
  steps: 20,
  learningRate: 2e-3,
  warmupSteps: 5,
  emaHalfLifeImages: 100,
  checkpointEvery: 1000,
  seed: 3,
};
