import { z } from 'zod';
import { ConditionAugmentationSchema, standardNormalCdf, standardNormalQuantile } from '@lowdiff/schedule';

/**
 * The fraction of a distribution's draws a trained range leaves out at each end: a range is the
 * central 99.8 % of what training drew. Beyond it the network saw too few examples (1 in 1000) to
 * have learnt much, which is what a sampling plan should be warned about.
 */
export const TRAINED_TAIL = 0.001;

/** One stage the weights were trained on. */
export interface TrainedStage {
  resolution: number;
  conditioned: boolean;
  /** The model resolution its conditions were made from (the next lower one); null when unconditioned. */
  conditionResolution: number | null;
  /** ln(sigma) ~ N(pMean, pStd^2), restricted to [sigmaMin, sigmaMax] where the training config truncates it. */
  noise: { pMean: number; pStd: number; sigmaMin?: number; sigmaMax?: number };
  /** The sigmas between which the central 99.8 % of its training draws lay ({@link TRAINED_TAIL} outside each end). */
  sigmaRange: [number, number];
}

/** What a model's weights were trained for, read from its checkpoint's training config. Plain JSON. */
export interface TrainedFor {
  stages: TrainedStage[];
  /** sigma_aug of the training conditions: its distribution and the range it covered (central 99.8 % of a log-normal). */
  conditionNoise: { augmentation: z.output<typeof ConditionAugmentationSchema>; range: [number, number] };
  /** How conditions were upsampled back to their stage's resolution. */
  conditionUpsample: 'nearest' | 'bilinear';
  /** sigma_data of the preconditioning (the scale "far above the data" is measured in). */
  sigmaData: number;
}

// The parts of the trainer's TrainingConfig the facts need (@lowdiff/trainer sits above this
// package, so its schema cannot be imported). Not strict: the trainer may record more, and keys
// this reader does not know are ignored. The trainer writes every default out; the defaults here
// are its defaults, for a file that lacks a key.
const TrainedConfigSchema = z.object({
  stages: z
    .array(
      z.object({
        resolution: z.number().int().positive(),
        conditioned: z.boolean(),
        pMean: z.number().default(-1.2),
        pStd: z.number().positive().default(1.2),
        sigmaMin: z.number().positive().optional(),
        sigmaMax: z.number().positive().optional(),
      }),
    )
    .min(1),
  conditionAugmentation: ConditionAugmentationSchema.default({ kind: 'uniform', min: 0, max: 0.5 }),
  conditionUpsample: z.enum(['nearest', 'bilinear']).default('bilinear'),
});

/**
 * The facts of a checkpoint's `training` metadata (`{ config: TrainingConfig, ... }`, as the
 * trainer writes it) for a model with these stage resolutions. Null when there is no training
 * config, or one this reader cannot make sense of (a file from another tool): the facts are
 * advisory, so their absence must not stop a model from loading.
 */
export function trainedForFromTraining(training: unknown, model: { stageResolutions: readonly number[]; sigmaData: number }): TrainedFor | null {
  const parsed = TrainedConfigSchema.safeParse((training as { config?: unknown } | null | undefined)?.config);
  if (!parsed.success) return null;
  const cfg = parsed.data;
  const resolutions = [...model.stageResolutions].sort((a, b) => a - b);
  return {
    stages: cfg.stages.map((s) => {
      const k = resolutions.indexOf(s.resolution);
      const noise = { pMean: s.pMean, pStd: s.pStd, ...(s.sigmaMin !== undefined ? { sigmaMin: s.sigmaMin } : {}), ...(s.sigmaMax !== undefined ? { sigmaMax: s.sigmaMax } : {}) };
      return {
        resolution: s.resolution,
        conditioned: s.conditioned,
        conditionResolution: s.conditioned && k > 0 ? resolutions[k - 1] : null,
        noise,
        sigmaRange: logNormalRange(noise),
      };
    }),
    conditionNoise: { augmentation: cfg.conditionAugmentation, range: augmentationRange(cfg.conditionAugmentation) },
    conditionUpsample: cfg.conditionUpsample,
    sigmaData: model.sigmaData,
  };
}

/**
 * The central 1 - 2 {@link TRAINED_TAIL} of ln(sigma) ~ N(pMean, pStd^2) restricted to
 * [sigmaMin, sigmaMax]: the quantiles of the truncated distribution, exp(pMean + pStd
 * Phi^-1(F(a) + p (F(b) - F(a)))).
 */
export function logNormalRange(n: { pMean: number; pStd: number; sigmaMin?: number; sigmaMax?: number }): [number, number] {
  const cdf = (sigma: number) => standardNormalCdf((Math.log(sigma) - n.pMean) / n.pStd);
  const fa = n.sigmaMin !== undefined ? cdf(n.sigmaMin) : 0;
  const fb = n.sigmaMax !== undefined ? cdf(n.sigmaMax) : 1;
  const at = (p: number) => {
    const u = fa + p * (fb - fa);
    // A truncation far in a tail leaves no probability in double precision: its ends are the range.
    if (!(u > 0 && u < 1)) return p < 0.5 ? (n.sigmaMin ?? 0) : (n.sigmaMax ?? Infinity);
    const sigma = Math.exp(n.pMean + n.pStd * standardNormalQuantile(u));
    return Math.min(Math.max(sigma, n.sigmaMin ?? 0), n.sigmaMax ?? Infinity);
  };
  return [at(TRAINED_TAIL), at(1 - TRAINED_TAIL)];
}

function augmentationRange(a: z.output<typeof ConditionAugmentationSchema>): [number, number] {
  switch (a.kind) {
    case 'none':
      return [0, 0];
    case 'fixed':
      return [a.sigma, a.sigma];
    case 'uniform':
      return [a.min, a.max];
    case 'lognormal':
      return logNormalRange(a);
  }
}
