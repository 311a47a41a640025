/**
 * @lowdiff/model in a browser: everything but reading and writing files (checkpoints are
 * decoded from bytes, e.g. fetched). Bundlers pick this entry by the `browser` condition.
 */
export type { UnifiedDenoiser, SamplingDenoiser, StageCall, CallOptions } from './unified-denoiser';
export {
  ModelConfigSchema,
  UNetConfigSchema,
  DiTConfigSchema,
  ModelConfigError,
  parseModelConfig,
  type ModelConfig,
  type ModelConfigInput,
  type UNetConfig,
  type DiTConfig,
} from './config';
export { EdmDenoiser, ModelInputError, denoiserVectors, type DenoiserInputs } from './edm-denoiser';
export { ParamStore } from './param-store';
export { sinCos2d } from './dit';
export {
  encodeSafetensors,
  decodeSafetensors,
  SafetensorsError,
  type SafeTensor,
  type SafetensorsDtype,
  type SafetensorsContents,
  type WritableTensor,
} from './safetensors';
export {
  encodeCheckpoint,
  decodeCheckpoint,
  checkpointFromContents,
  forSampling,
  CheckpointError,
  CHECKPOINT_FORMAT,
  type CheckpointExtras,
  type CheckpointLoadOptions,
  type LoadedCheckpoint,
  type SamplingModel,
} from './checkpoint';
export { describeModel, formatDescription, type ModelDescription } from './describe';
export { trainedForFromTraining, logNormalRange, TRAINED_TAIL, type TrainedFor, type TrainedStage } from './trained-for';
export { REFERENCE_UNET_32, REFERENCE_DIT_LATENT } from './reference-configs';
export { precondition, preconditioningVectors, type PreconditioningValues } from './preconditioning';
export type { Ops, Value } from './ops';
export { tfjsOps } from './tfjs-ops';
// Building blocks, for other networks built the same way (e.g. @lowdiff/vae's autoencoders).
export type { ForwardContext, DropoutSource } from './layers/context';
export { countFlops, opsOf, param } from './layers/context';
export { conv2d, type ConvOptions } from './layers/conv2d';
export { linear, type LinearOptions } from './layers/linear';
export { groupNorm, layerNormNoAffine, silu, gelu, dropout } from './layers/norm';
export { selfAttention } from './layers/attention';
export type { Init } from './param-store';
export { Adam, type AdamOptions } from './adam';
export { trainingLoop, type TrainingLoopOptions, type StepOutcome, type LoopProgress } from './training-loop';
export { exportOnnx, DENOISER_VECTOR_INPUTS, type OnnxStage } from './onnx/export-onnx';
export { OnnxGraph, ONNX_OPSET, type OnnxIo, type OnnxDtype } from './onnx/onnx-graph';
export { OnnxOps } from './onnx/onnx-ops';
export { OnnxTrainingOps, type WeightInput } from './onnx/onnx-training-ops';
export { exportTrainingGraph, trainingFeeds, TRAINING_LOSS_OUTPUT, type TrainingGraph, type TrainingSlice, type MaskInput, type Feed } from './onnx/export-training-graph';
export { SampleMasks } from './sample-masks';
