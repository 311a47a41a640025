import { z } from 'zod';
import { parseParams, StepsSchema } from './params';

// A cascade makes most network calls at low resolution, where a call is cheap, so the
// raw number of function evaluations (NFE) overstates its cost. Effective NFE weights
// each call by its FLOPs relative to one full-resolution call: the paper does not define
// it exactly, and this is our definition. It counts network calls only; upsampling and
// solver arithmetic are negligible next to them.

const ResolutionSchema = z.number().int('must be an integer').positive('must be > 0');

/**
 * FLOPs of one network call per resolution, as a `Map` or a plain object keyed by the
 * resolution (e.g. `{ 8: 6.25e6, 16: 2.5e7, 32: 1e8 }`). Units cancel, so any
 * consistent unit works (FLOPs, MACs, measured milliseconds).
 */
export const FlopsTableSchema = z.preprocess(
  (v) => (v instanceof Map ? Object.fromEntries(v) : v),
  z.record(
    z.string().regex(/^[1-9]\d*$/, 'keys must be positive integer resolutions'),
    z.number().positive('must be > 0'),
  ),
);

/** One stage of a cascade plan for cost purposes: its resolution and how many network calls it makes. */
export const CostStageSchema = z.object({
  resolution: ResolutionSchema,
  calls: z.number().int('must be an integer').min(0, 'must be >= 0'),
});

/** Parameters of {@link effectiveNfe}. */
export const EffectiveNfeParamsSchema = z
  .object({
    flopsPerCall: FlopsTableSchema,
    /** The resolution whose call counts as 1. */
    fullResolution: ResolutionSchema,
    stages: z.array(CostStageSchema).min(1, 'must list at least one stage'),
  })
  .superRefine((p, ctx) => {
    const have = Object.keys(p.flopsPerCall).join(', ');
    if (!(String(p.fullResolution) in p.flopsPerCall)) {
      ctx.addIssue({
        code: 'custom',
        path: ['fullResolution'],
        message: `no FLOP entry for resolution ${p.fullResolution} (flopsPerCall has ${have})`,
      });
    }
    p.stages.forEach((stage, i) => {
      if (!(String(stage.resolution) in p.flopsPerCall)) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'resolution'],
          message: `no FLOP entry for resolution ${stage.resolution} (flopsPerCall has ${have})`,
        });
      }
    });
  });

/** FLOPs of one network call per resolution, as accepted by {@link FlopsTableSchema}. */
export type FlopsTable = Readonly<Record<number, number>> | ReadonlyMap<number, number>;

/** One stage of a plan for cost purposes, as accepted by {@link CostStageSchema}. */
export type CostStage = z.input<typeof CostStageSchema>;

/**
 * What callers pass to {@link effectiveNfe}. Written out rather than inferred because the
 * schema's Map-or-object preprocessing would otherwise type `flopsPerCall` as unknown.
 */
export interface EffectiveNfeParams {
  /** FLOPs (or any consistent cost unit) of one call per resolution. */
  flopsPerCall: FlopsTable;
  /** The resolution whose call counts as 1. */
  fullResolution: number;
  /** The plan's stages in any order. */
  stages: readonly CostStage[];
}

/** Cost of one stage. */
export interface StageCost {
  resolution: number;
  /** Network calls the stage makes (its NFE). */
  calls: number;
  /** FLOPs of one call at this resolution / FLOPs of one full-resolution call. */
  relativeCost: number;
  /** calls * relativeCost: the stage's cost in full-resolution calls. */
  effective: number;
}

/** Result of {@link effectiveNfe}. */
export interface EffectiveNfeResult {
  /** Effective NFE of the whole plan: the sum of the stages' `effective`. */
  total: number;
  /** Raw NFE: the sum of the stages' `calls`. */
  totalCalls: number;
  perStage: StageCost[];
  /** FLOPs of one full-resolution call, so that total * fullResolutionFlops is the plan's FLOPs. */
  fullResolutionFlops: number;
}

/**
 * Effective NFE of a cascade plan: each call weighted by FLOPs(r) / FLOPs(full).
 *
 * @example
 * ```ts
 * effectiveNfe({
 *   flopsPerCall: { 8: 6.25, 16: 25, 32: 100 },
 *   fullResolution: 32,
 *   stages: [{ resolution: 8, calls: 18 }, { resolution: 16, calls: 11 }, { resolution: 32, calls: 7 }],
 * }).total; // 18 * 0.0625 + 11 * 0.25 + 7 = 10.875
 * ```
 *
 * @throws {@link ScheduleParamError} when a stage (or the full resolution) has no FLOP
 *   entry, when an entry is not > 0, or on any other bad field.
 */
export function effectiveNfe(params: EffectiveNfeParams): EffectiveNfeResult {
  const { flopsPerCall, fullResolution, stages } = parseParams(EffectiveNfeParamsSchema, params, 'EffectiveNfeParams');
  const fullResolutionFlops = flopsPerCall[String(fullResolution)];
  const perStage = stages.map(({ resolution, calls }) => {
    const relativeCost = flopsPerCall[String(resolution)] / fullResolutionFlops;
    return { resolution, calls, relativeCost, effective: calls * relativeCost };
  });
  return {
    total: perStage.reduce((sum, s) => sum + s.effective, 0),
    totalCalls: perStage.reduce((sum, s) => sum + s.calls, 0),
    perStage,
    fullResolutionFlops,
  };
}

/**
 * NFE of EDM's Heun sampler over N steps: 2N - 1, because every step makes two calls
 * except the last, which lands on sigma = 0 and takes a plain Euler step.
 *
 * @param steps - N, the number of sampling steps = the number of sigma intervals; a
 *   sigma list for N steps has N + 1 entries (N sigmas, then 0). EDM's CIFAR-10
 *   setting N = 18 gives 35.
 */
export function heunNfe(steps: number): number {
  const { steps: n } = parseParams(z.object({ steps: StepsSchema }), { steps }, 'heunNfe');
  return 2 * n - 1;
}

/**
 * NFE of a one-call-per-step sampler over N steps: N. This covers Euler (ODE or with
 * churn) and multistep solvers such as DPM-Solver++(2M), which reuse the previous call.
 *
 * @param steps - N, the number of sampling steps = the number of sigma intervals.
 */
export function eulerNfe(steps: number): number {
  const { steps: n } = parseParams(z.object({ steps: StepsSchema }), { steps }, 'eulerNfe');
  return n;
}
