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

/**
 * Sampling plans by name, for a model with top resolution `r` (e.g. 32: stages 8, 16, 32).
 * `lowdiff` plans spend most steps at low resolution and refine from the upsampled image.
 */
export function planPresets(r: number): Record<string, () => ResolvedCascadePlan> {
  // Tuned on the shipped Fashion-MNIST checkpoint (apps/pixel/README.md, 500-sample sweeps):
  // refinement from sigma 3 (from 2: FID +19 %), condition noise 0.75 of the trained 0..1 (0.5 /
  // 1: +9 % / +6 %), which hides the generated condition's flaws from the refinement stages.
  const refine = (sigmaStart: number, sigmaAug = 0.75) => ({ start: { kind: 'upsampled' as const, sigmaStart }, sigmaAug });
  const cascade = (name: string, steps: number[], stage: Partial<CascadePlan['stages'][number]>) =>
    named(name, cascadePlan([r / 4, r / 2, r], steps, stage));
  return {
    // Full-resolution baselines, the speed/quality frontier the cascades are measured against:
    // Heun at N steps (2N - 1 NFE: its last step, to sigma 0, is a plain Euler step) and
    // DPM-Solver++(2M) (one call per step) at the same NFE. EDM's 18-step sampler comes first.
    'baseline-heun-18': () => baselinePlan(r, 18, 'heun'),
    'baseline-heun-14': () => baselinePlan(r, 14, 'heun'),
    'baseline-heun-10': () => baselinePlan(r, 10, 'heun'),
    'baseline-heun-8': () => baselinePlan(r, 8, 'heun'),
    'baseline-heun-6': () => baselinePlan(r, 6, 'heun'),
    'baseline-dpmpp2m-35': () => baselinePlan(r, 35, 'dpmpp2m'),
    'baseline-dpmpp2m-27': () => baselinePlan(r, 27, 'dpmpp2m'),
    'baseline-dpmpp2m-19': () => baselinePlan(r, 19, 'dpmpp2m'),
    'baseline-dpmpp2m-15': () => baselinePlan(r, 15, 'dpmpp2m'),
    'baseline-dpmpp2m-11': () => baselinePlan(r, 11, 'dpmpp2m'),
    'lowdiff-3': () => cascade('lowdiff-3', [8, 6, 8], refine(3)),
    // The same cascade on DPM-Solver++(2M), the few-step solver: 5 calls at 32x32 instead of 15.
    'lowdiff-3-dpm': () => named('lowdiff-3-dpm', cascadePlan([r / 4, r / 2, r], [10, 6, 5], refine(3), 'dpmpp2m')),
    'lowdiff-3-fast': () => cascade('lowdiff-3-fast', [12, 6, 4], refine(3)),
    'lowdiff-3-noise': () => cascade('lowdiff-3-noise', [8, 6, 8], { sigmaAug: 0.75 }),
    'lowdiff-3-aug0': () => cascade('lowdiff-3-aug0', [8, 6, 8], refine(3, 0)),
    'lowdiff-2': () => named('lowdiff-2', cascadePlan([r / 2, r], [18, 5], refine(1.5, 0.05))),
    // Ablations (they beat the conditioned top stage of the step-10,000 checkpoint): the unified
    // network's unconditioned full-resolution mode finishes instead, started from the noised
    // upsampled image (SDEdit-style), high enough to redraw fine detail.
    'lowdiff-3-sdedit': () => named('lowdiff-3-sdedit', withTop(cascadePlan([r / 4, r / 2, r], [8, 6, 8], refine(3)), 8)),
    'lowdiff-2-sdedit': () => named('lowdiff-2-sdedit', withTop(cascadePlan([r / 4, r], [8, 10], refine(3)), 12)),
  };
}

/**
 * Named lists of presets that `bench --plans` expands. `frontier`: every full-resolution
 * baseline (Heun and DPM-Solver++(2M) at matching NFE, EDM's 18-step Heun first, the speed-up
 * reference) and the LowDiff cascades (Heun, DPM-Solver++(2M), SDEdit ablation), for an
 * FID-against-images/s plot.
 */
export function planSweeps(): Record<string, string[]> {
  const baselines = Object.keys(planPresets(32)).filter((name) => name.startsWith('baseline-'));
  return { frontier: [...baselines, 'lowdiff-3', 'lowdiff-3-dpm', 'lowdiff-3-sdedit'] };
}

/** The plan with its last stage unconditioned, starting from the upsampled image at sigmaStart. */
function withTop(plan: ResolvedCascadePlan, sigmaStart: number): ResolvedCascadePlan {
  const stages = plan.stages.map((s, i) => (i === plan.stages.length - 1 ? { ...s, conditioned: false, start: { kind: 'upsampled' as const, sigmaStart } } : s));
  return parseCascadePlan({ ...plan, stages });
}

function named(name: string, plan: ResolvedCascadePlan): ResolvedCascadePlan {
  return { ...plan, name };
}

/** Sets every stage's guidance scale (a CLI's --guidance); `undefined` leaves the plan as it is. */
export function withGuidanceScale(plan: ResolvedCascadePlan, scale: number | undefined): ResolvedCascadePlan {
  if (scale === undefined) return plan;
  return { ...plan, stages: plan.stages.map((s) => ({ ...s, guidance: { ...(s.guidance ?? {}), scale } })) } as ResolvedCascadePlan;
}
