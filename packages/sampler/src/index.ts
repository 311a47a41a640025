/**
 * `@lowdiff/sampler`: ODE/SDE solvers over an EDM denoiser, classifier-free guidance, and the
 * runner of LowDiff cascade plans with NFE and effective-NFE accounting.
 *
 * Solvers take a {@link Denoiser} D(x; sigma) (synchronous, or answering with a promise), a start
 * tensor (not disposed) and a sigma list of N + 1 strictly decreasing levels from
 * `@lowdiff/schedule` (usually ending in 0); they resolve to a new tensor and the number of
 * denoiser calls.
 *
 * @packageDocumentation
 */

// The model interface: a UnifiedDenoiser, or a SamplingDenoiser whose denoise answers with a promise
export type { UnifiedDenoiser, SamplingDenoiser, StageCall, CallOptions, TrainedFor, TrainedStage } from './types';

// Solvers
export type { Denoiser, NoiseSource, StepInfo, StepCallback, SolverOptions, SolverResult } from './denoiser';
export { sampleEuler } from './sample-euler';
export { sampleHeun } from './sample-heun';
export { sampleChurn } from './sample-churn';
export { ChurnParamsSchema, type ChurnParams, type ChurnOptions } from './churn-params';
export { sampleDpmpp2m } from './sample-dpmpp-2m';
export { sampleFlowEuler } from './sample-flow-euler';
export { denoiserFromVelocity, flowStartFromEdm, type VelocityFn, type FlowModel, type FlowStepInfo, type FlowSolverOptions } from './flow-model';
// The loop the solvers share: a new solver is an update rule (see sample-euler.ts).
export { runSteps, type Step, type SolverRule } from './step-loop';
export { runSolver, type RunSolverOptions } from './run-solver';

// Guidance and call counting
export { withGuidance, withBatchedGuidance, guidanceActive, GuidanceSchema, type Guidance, type BatchedGuidanceNet } from './guidance';
export { countCalls, type CallCounter } from './count-calls';

// Cascade plans
export {
  CascadePlanSchema,
  CascadeStageSchema,
  StageScheduleSchema,
  StageStartSchema,
  SolverNameSchema,
  DEFAULT_SIGMA_AUG,
  parseCascadePlan,
  checkPlanForModel,
  type CascadePlan,
  type ResolvedCascadePlan,
  type ResolvedCascadeStage,
  type SolverName,
} from './cascade-plan';
export {
  runCascade,
  stageSigmas,
  type RunCascadeOptions,
  type CascadeResult,
  type StageReport,
  type StageInfo,
  type CascadeStepInfo,
} from './run-cascade';
export { baselinePlan, cascadePlan, planPresets, planSweeps, withGuidanceScale } from './presets';
export { checkPlanAgainstTraining, type TrainingFinding } from './training-check';
export { upsample, type UpsampleMethod } from './upsample';
export { NOISE_PURPOSE, sampleStreams, perSampleNoise, type NoisePurpose } from './sample-noise';

// Errors
export { SamplerError, CascadePlanError } from './sampler-error';
