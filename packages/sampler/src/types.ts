// The model interface the sampler drives, from its owner. Types are structural, so any object with
// this shape (a test double, a wrapper) works as well as @lowdiff/model's networks. Types only:
// @lowdiff/model is an optional peer of the sampler (it brings ONNX's protobuf code, ~20 MB).
export type { UnifiedDenoiser, SamplingDenoiser, StageCall, CallOptions, TrainedFor, TrainedStage } from '@lowdiff/model';
