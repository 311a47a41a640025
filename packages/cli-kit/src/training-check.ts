import type { TrainedFor } from '@lowdiff/model';
import { checkPlanAgainstTraining, type ResolvedCascadePlan, type TrainingFinding } from '@lowdiff/sampler';
import { CliError } from './cli-error';

// A bench samples each plan once per round, and a pool once per task: a warning is about the
// plan, so one print per process says it.
const printed = new Set<string>();

/**
 * Checks a plan against what the model was trained for (`model.trainedFor`, from its
 * checkpoint) before sampling with it: errors stop with a {@link CliError} (exit 2) naming each;
 * warnings go to stderr, each line once per process, and are returned. Without facts (a
 * checkpoint without a training config, a new network) there is nothing to check.
 */
export function checkPlanTraining(
  facts: TrainedFor | null | undefined,
  plan: ResolvedCascadePlan,
  print: (line: string) => void = (line) => void process.stderr.write(`${line}\n`),
): TrainingFinding[] {
  if (!facts) return [];
  const findings = checkPlanAgainstTraining(plan, facts);
  const name = plan.name ?? 'custom';
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) throw new CliError(`plan ${name} does not fit what the model was trained for: ${errors.map((e) => e.message).join('; ')}`);
  const warnings = findings.filter((f) => f.severity === 'warning');
  for (const w of warnings) {
    const line = `warning: plan ${name}: ${w.message}`;
    if (!printed.has(line)) {
      printed.add(line);
      print(line);
    }
  }
  return warnings;
}
