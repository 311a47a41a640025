import { parseCascadePlan, type CascadePlan, type ResolvedCascadePlan, type SolverName } from './cascade-plan';

/**
 * The non-cascaded baseline: one stage at `resolution` from sigma_max noise, EDM's schedule. With
 * Heun and 18 steps this is EDM's CIFAR-10 sampler (35 NFE).
 */
export function baselinePlan(resolution: number, steps = 18, solver: SolverName = 'heun'): ResolvedCascadePlan {
  return parseCascadePlan({ name: `baseline-${solver}-${steps}@${resolution}`, stages: [{ resolution, steps, solver }] });
}

/**
 * A cascade through `resolutions` (ascending) with `steps[i]` steps at stage i; `refine` is merged
 * into every stage after the first (e.g. `{ start: { kind: 'upsampled', sigmaStart: 2 } }`).
 */
export function cascadePlan(
  resolutions: readonly number[],
  steps: readonly number[],
  refine: Partial<CascadePlan['stages'][number]> = {},
  solver: SolverName = 'heun',
): ResolvedCascadePlan {
  return parseCascadePlan({
    name: `cascade-${resolutions.join('-')}`,
    stages: resolutions.map((resolution, i) => ({ solver, ...(i > 0 ? refine : {}), resolution, steps: steps[i] })),
  });
}
