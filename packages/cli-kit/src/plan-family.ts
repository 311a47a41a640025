import type { ResolvedCascadePlan } from '@lowdiff/sampler';

// Partial: a solver added later shows under its plan name until it gets a label here.
const SOLVER_LABELS: Partial<Record<string, string>> = {
  euler: 'Euler',
  heun: 'Heun',
  dpmpp2m: 'DPM-Solver++(2M)',
  churn: 'Heun + churn',
};

/**
 * The sampler family a plan belongs to, read from its structure rather than its name, so custom
 * plans land on the right curve of a frontier plot: one stage is a full-resolution baseline of its
 * solver; a cascade whose refinement runs the network's unconditioned mode from the noised
 * upsampled image is the SDEdit variant; any other cascade is LowDiff's conditioned one. Plans
 * of one family differ only in how many steps they spend where, i.e. in speed against quality.
 */
export function planFamily(plan: ResolvedCascadePlan): string {
  const solvers = [...new Set(plan.stages.map((s) => SOLVER_LABELS[s.solver] ?? s.solver))].join(' / ');
  if (plan.stages.length === 1) return `${solvers} baseline`;
  const sdedit = plan.stages.slice(1).some((s) => s.conditioned === false);
  return `LowDiff ${sdedit ? 'SDEdit' : 'cascade'} (${solvers})`;
}
