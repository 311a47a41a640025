/**
 * `@lowdiff/schedule`: noise-schedule math for EDM-style diffusion and LowDiff cascades.
 *
 * Plain TypeScript over numbers; no tensors, no random numbers (callers pass draws from
 * their own seeded generator). Every schedule is expressed in EDM's sigma
 * (x = x0 + sigma eps); `conversions` connects it to VP, log-SNR and rectified flow.
 * Every parameter set has a zod schema, and bad parameters throw a
 * {@link ScheduleParamError} whose message names the bad field.
 *
 * Step counts: `steps` = N is the number of sampling steps, i.e. sigma intervals; a
 * sigma list for N steps has N + 1 entries, the last one 0.
 *
 * @packageDocumentation
 */

// Validation
export { ScheduleParamError, parseParams, formatZodIssues, StepsSchema, PositiveSchema } from './params';

// Sigma discretizations
export { karrasSigmas, KarrasSigmaParamsSchema, type KarrasSigmaParams } from './karras-sigmas';
export {
  vpLinearSigma,
  vpLinearSigmas,
  vpCosineAlphaBar,
  vpCosineSigma,
  vpCosineSigmas,
  VpLinearCoefficientsSchema,
  VpLinearSigmaParamsSchema,
  VpCosineCoefficientsSchema,
  VpCosineSigmaParamsSchema,
  type VpLinearCoefficients,
  type VpLinearSigmaParams,
  type VpCosineCoefficients,
  type VpCosineSigmaParams,
} from './vp-schedule';
export {
  flowTimes,
  shiftFlowTime,
  unshiftFlowTime,
  FlowTimeParamsSchema,
  FlowShiftSchema,
  type FlowTimeParams,
} from './flow-schedule';

// EDM preconditioning and loss weight
export { edmPreconditioning, edmLossWeight, SigmaDataSchema, type EdmPreconditioning } from './preconditioning';

// Training noise levels and condition augmentation
export {
  sampleTrainingSigma,
  trainingSigmas,
  trainingSigmaFromUniform,
  trainingSigmaCdf,
  logSigmaPdf,
  noiseParamsFor,
  LogNormalNoiseSchema,
  ResolutionNoiseSchema,
  ResolutionNoiseTableSchema,
  type LogNormalNoise,
  type ResolvedLogNormalNoise,
  type ResolutionNoise,
  type ResolvedResolutionNoise,
  type ResolutionNoiseTable,
} from './training-noise';
export { conditionAugSigma, ConditionAugmentationSchema, type ConditionAugmentation } from './condition-augmentation';
export { standardNormalPdf, standardNormalCdf, standardNormalQuantile, OpenUnitSchema } from './normal';

// Conversions between parameterisations
export {
  sigmaToAlphaBar,
  alphaBarToSigma,
  sigmaToVp,
  vpToSigma,
  sigmaToLogSnr,
  logSnrToSigma,
  sigmaToFlowTime,
  flowTimeToSigma,
  edmToFlowScale,
  edmToVpScale,
  type VpPair,
} from './conversions';

// Cost model
export {
  effectiveNfe,
  heunNfe,
  eulerNfe,
  EffectiveNfeParamsSchema,
  FlopsTableSchema,
  CostStageSchema,
  type EffectiveNfeParams,
  type FlopsTable,
  type CostStage,
  type EffectiveNfeResult,
  type StageCost,
} from './effective-nfe';
