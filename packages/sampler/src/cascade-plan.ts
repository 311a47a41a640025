import { z } from 'zod';
import { StepsSchema } from '@lowdiff/schedule';
import { ChurnParamsSchema } from './churn-params';
import { GuidanceSchema } from './guidance';
import { CascadePlanError } from './sampler-error';
import type { UnifiedDenoiser } from './types';

/**
 * Default sigma_aug of a refinement stage's condition. Small but not 0: the model is trained on
 * conditions noised with sigma_aug drawn per sample, which may never be exactly 0 (a log-normal
 * draw), and a little noise hides the blocky / blurry upsampling the network should not copy.
 * 0.05 is about 2.5 % of the [-1, 1] range. A knob to ablate, not a measured optimum.
 */
export const DEFAULT_SIGMA_AUG = 0.05;

/** The solvers a plan can name. */
export const SolverNameSchema = z.enum(['euler', 'heun', 'dpmpp2m', 'churn']);
export type SolverName = z.infer<typeof SolverNameSchema>;

const PositiveSchema = z.number().positive('must be > 0');

/** A stage's sigma discretization; defaults are EDM's (0.002, 80, 7). */
export const StageScheduleSchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('karras'),
      sigmaMin: PositiveSchema.default(0.002),
      sigmaMax: PositiveSchema.default(80),
      rho: PositiveSchema.default(7),
    })
    .refine((s) => s.sigmaMin < s.sigmaMax, { message: 'must be < sigmaMax', path: ['sigmaMin'] }),
]);

/**
 * How a stage starts. `noise`: sigmaMax * noise (the only choice for the first stage).
 * `upsampled`: the upsampled previous output plus sigmaStart * noise, sampled with the Karras list
 * rebuilt to run from sigmaStart (karrasSigmas with sigmaMax = sigmaStart, same steps, sigmaMin, rho).
 */
export const StageStartSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('noise') }),
  z.strictObject({ kind: z.literal('upsampled'), sigmaStart: PositiveSchema }),
]);

/** One stage of a cascade plan. */
export const CascadeStageSchema = z
  .strictObject({
    /** Side length r of the stage's images; must be one of the model's resolutions. */
    resolution: z.number().int('must be an integer').positive('must be > 0'),
    /** Sampling steps N (sigma intervals). */
    steps: StepsSchema,
    solver: SolverNameSchema.default('heun'),
    schedule: StageScheduleSchema.prefault({ kind: 'karras' }),
    start: StageStartSchema.prefault({ kind: 'noise' }),
    /**
     * Refinement stages only. `true`: the network sees the upsampled previous output as its
     * condition (LowDiff). `false`: it runs its unconditioned mode at this resolution and the
     * previous output enters only through an `upsampled` start (SDEdit-style refinement); the
     * model must have been trained with an unconditioned stage at this resolution.
     */
    conditioned: z.boolean().default(true),
    /** Noise level added to the upsampled condition (conditioned refinement stages only). */
    sigmaAug: z.number().min(0, 'must be >= 0').default(DEFAULT_SIGMA_AUG),
    guidance: GuidanceSchema.optional(),
    /** Churn parameters, for solver 'churn' (defaults: EDM's ImageNet-64 setting). */
    churn: ChurnParamsSchema.optional(),
    /** How the previous output is upsampled to this stage (refinement stages only). */
    upsample: z.enum(['nearest', 'bilinear']).default('bilinear'),
  })
  .superRefine((stage, ctx) => {
    const { sigmaMin, sigmaMax } = stage.schedule;
    if (stage.start.kind === 'upsampled') {
      const { sigmaStart } = stage.start;
      if (sigmaStart > sigmaMax) {
        ctx.addIssue({ code: 'custom', path: ['start', 'sigmaStart'], message: `must be <= the stage's sigmaMax (${sigmaMax})` });
      } else if (sigmaStart <= sigmaMin) {
        ctx.addIssue({ code: 'custom', path: ['start', 'sigmaStart'], message: `must be > the stage's sigmaMin (${sigmaMin})` });
      }
    }
    if (!stage.conditioned && stage.start.kind !== 'upsampled') {
      ctx.addIssue({
        code: 'custom',
        path: ['conditioned'],
        message: "false needs start { kind: 'upsampled' }: without a condition, the stage would ignore the previous output",
      });
    }
    if (stage.churn && stage.solver !== 'churn') {
      ctx.addIssue({ code: 'custom', path: ['churn'], message: `is only used by solver 'churn' (this stage uses '${stage.solver}')` });
    }
  });

/**
 * A cascade plan: stages of strictly increasing resolution. Stage 1 generates from noise; each
 * later stage refines the upsampled output of the one before.
 */
export const CascadePlanSchema = z
  .strictObject({
    name: z.string().optional(),
    stages: z.array(CascadeStageSchema).min(1, 'must list at least one stage').max(16, 'must list at most 16 stages'),
  })
  .superRefine((plan, ctx) => {
    // Also reached when `stages` is empty (a min-length issue does not stop refinements).
    if (plan.stages[0]?.start.kind === 'upsampled') {
      ctx.addIssue({
        code: 'custom',
        path: ['stages', 0, 'start'],
        message: "the first stage has no previous output to upsample; use { kind: 'noise' }",
      });
    }
    for (let i = 1; i < plan.stages.length; i++) {
      const previous = plan.stages[i - 1].resolution;
      if (!(plan.stages[i].resolution > previous)) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'resolution'],
          message: `must be > the previous stage's resolution (${previous}); resolutions must strictly increase`,
        });
      }
    }
  });

/** A plan as written (defaults optional). */
export type CascadePlan = z.input<typeof CascadePlanSchema>;
/** A plan with every default filled in. */
export type ResolvedCascadePlan = z.output<typeof CascadePlanSchema>;
/** One stage with every default filled in. */
export type ResolvedCascadeStage = ResolvedCascadePlan['stages'][number];

/**
 * Validates a plan and fills in defaults.
 *
 * @throws {@link CascadePlanError} naming each bad field, e.g.
 *   `Invalid CascadePlan: stages.1.start.sigmaStart: must be <= the stage's sigmaMax (80)`
 */
export function parseCascadePlan(plan: unknown): ResolvedCascadePlan {
  const result = CascadePlanSchema.safeParse(plan);
  if (!result.success) throw new CascadePlanError('CascadePlan', result.error.issues);
  return result.data;
}

/**
 * Checks a parsed plan against a model: every resolution must be one the model serves, and
 * guidance needs a class-conditional model.
 *
 * @throws {@link CascadePlanError}
 */
export function checkPlanForModel(plan: ResolvedCascadePlan, model: Pick<UnifiedDenoiser, 'resolutions' | 'numClasses'>): void {
  const problems: string[] = [];
  plan.stages.forEach((stage, i) => {
    if (!model.resolutions.includes(stage.resolution)) {
      problems.push(`stages.${i}.resolution: ${stage.resolution} is not one of the model's resolutions (${model.resolutions.join(', ')})`);
    }
    if (stage.guidance && stage.guidance.scale !== 1 && model.numClasses === 0) {
      problems.push(`stages.${i}.guidance: the model is unconditional (numClasses 0); classifier-free guidance needs a class-conditional model`);
    }
  });
  if (problems.length > 0) throw new CascadePlanError('CascadePlan', problems.join('; '));
}
