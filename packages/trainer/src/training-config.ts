import { ConditionAugmentationSchema } from '@lowdiff/schedule';
import { z } from 'zod';

/** One kind of training example: a resolution, whether it is conditioned, and its noise levels. */
export const TrainingStageSchema = z
  .object({
    resolution: z.number().int().min(2),
    /** Relative frequency of this stage in the mix (normalised over all stages). */
    probability: z.number().positive(),
    /** Conditioned on the target downsampled to the next lower model resolution and upsampled back. */
    conditioned: z.boolean(),
    /** ln(sigma) ~ N(pMean, pStd^2) for this stage (EDM: -1.2, 1.2). */
    pMean: z.number().default(-1.2),
    pStd: z.number().positive().default(1.2),
    lossWeight: z.number().positive().default(1),
  })
  .strict();
export type TrainingStage = z.output<typeof TrainingStageSchema>;

export const TrainingConfigSchema = z
  .object({
    stages: z.array(TrainingStageSchema).min(1),
    /** Distribution of the condition's noise-augmentation level sigma_aug. */
    conditionAugmentation: ConditionAugmentationSchema.default({ kind: 'uniform', min: 0, max: 0.5 }),
    /** How the condition is brought back to the stage resolution (the sampler must use the same). */
    conditionUpsample: z.enum(['nearest', 'bilinear']).default('bilinear'),
    /** Probability of replacing a label by the null class (classifier-free guidance). */
    labelDropout: z.number().min(0).max(1).default(0.1),
    batchSize: z.number().int().min(1).default(32),
    steps: z.number().int().min(1),
    learningRate: z.number().positive().default(1e-3),
    /** Linear learning-rate warm-up over this many steps. */
    warmupSteps: z.number().int().min(0).default(200),
    adamBeta1: z.number().min(0).lt(1).default(0.9),
    adamBeta2: z.number().min(0).lt(1).default(0.999),
    adamEpsilon: z.number().positive().default(1e-8),
    /** Clip the global gradient norm to this (0: no clipping). */
    gradClip: z.number().min(0).default(1),
    /** EMA half-life in images (EDM: 500k for CIFAR-10) ... */
    emaHalfLifeImages: z.number().positive().default(50_000),
    /** ... capped at this fraction of the images seen so far (EDM's ema_rampup_ratio). */
    emaRampup: z.number().min(0).default(0.05),
    /** Save a checkpoint every this many steps (and at the end). */
    checkpointEvery: z.number().int().min(1).default(500),
    /** Stop after this many non-finite losses in a row. */
    maxBadSteps: z.number().int().min(1).default(5),
    seed: z.number().int().default(0),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.stages.forEach((s, i) => {
      const key = `${s.resolution}/${s.conditioned}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['stages', i], message: `duplicate stage (resolution ${s.resolution}, conditioned ${s.conditioned})` });
      seen.add(key);
    });
  });
export type TrainingConfig = z.output<typeof TrainingConfigSchema>;
export type TrainingConfigInput = z.input<typeof TrainingConfigSchema>;

/** An invalid training config or one that does not fit the model; the message names the field. */
export class TrainingConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingConfigError';
  }
}

export function parseTrainingConfig(input: unknown): TrainingConfig {
  const r = TrainingConfigSchema.safeParse(input);
  if (r.success) return r.data;
  throw new TrainingConfigError(`Invalid training config: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
}

/** Checks the stages against the model's resolutions; returns each stage's condition resolution. */
export function conditionResolutions(cfg: TrainingConfig, modelResolutions: readonly number[]): (number | null)[] {
  return cfg.stages.map((s, i) => {
    const k = modelResolutions.indexOf(s.resolution);
    if (k < 0) throw new TrainingConfigError(`Invalid training config: stages.${i}.resolution: ${s.resolution} is not a model resolution (${modelResolutions.join(', ')})`);
    if (!s.conditioned) return null;
    if (k === 0) throw new TrainingConfigError(`Invalid training config: stages.${i}.conditioned: the lowest resolution ${s.resolution} has no lower stage to be conditioned on`);
    return modelResolutions[k - 1];
  });
}
