// The model interface the sampler drives, from its owner. Types are structural, so any object with
// this shape (a test double, a wrapper) works as well as @lowdiff/model's networks.
export type { UnifiedDenoiser, SamplingDenoiser, StageCall, CallOptions } from '@lowdiff/model';
