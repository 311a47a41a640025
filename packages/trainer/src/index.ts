/**
 * @lowdiff/trainer: LowDiff's multi-resolution training loop (stage mix, condition building with
 * noise augmentation, EDM loss, Adam with warm-up and clipping, EMA, exact resume).
 */
export { Trainer, TrainingDivergedError, TrainingStateSchema, type TrainingState, type StepReport, type RunOptions, type RunResult, type ResumeOptions, type TrainingEngine } from './trainer';
export { repairLog } from './train-log';
export { TrainingPool } from './training-pool';
export { SampleMasks } from '@lowdiff/model';
export {
  TrainingConfigSchema,
  TrainingStageSchema,
  TrainingConfigError,
  parseTrainingConfig,
  conditionResolutions,
  type TrainingConfig,
  type TrainingConfigInput,
  type TrainingStage,
} from './training-config';
export { buildCondition, TENSOR_RESAMPLER, type Resampler } from './build-condition';
export { edmLoss } from './edm-loss';
export { Ema } from './ema';
