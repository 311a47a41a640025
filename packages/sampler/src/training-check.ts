import type { ResolvedCascadePlan } from './cascade-plan';
import type { TrainedFor } from './types';

/** One way a plan leaves what the model was trained for. */
export interface TrainingFinding {
  stageIndex: number;
  /** The plan field at fault, as in plan errors: `resolution`, `conditioned`, `upsample`, `sigmaAug`, `start.sigmaStart`, `schedule.sigmaMax`. */
  field: string;
  /** `error`: the network never saw such inputs. `warning`: it saw them rarely or never, but they are in reach of what it learnt. */
  severity: 'error' | 'warning';
  /** Names the stage and the field, with both the plan's value and the trained one. */
  message: string;
}

// A stage trained up to this multiple of sigma_data has been trained on pure noise: there the
// signal is under 5 % of the noise, and (for Gaussian data) the ideal denoiser's answer is
// typically within sigma_data / 20 of the data mean, closer at higher sigma. Starting above its
// trained range (EDM's sigmaMax 80 against its own training distribution, whose top 0.1 % begins
// at 12.3) then only spends steps where the network's answer barely matters: no warning.
const PURE_NOISE_SIGMAS = 20;

/**
 * Compares a plan with what the model was trained for (`model.trainedFor`, from its checkpoint).
 * A stage is "conditioned" when it is a refinement stage (index > 0) with `conditioned: true`.
 *
 * Errors:
 * - the stage's (resolution, conditioned) pair was never trained (field `conditioned` when the
 *   resolution was trained the other way, else `resolution`);
 * - a conditioned stage upsamples with another mode than its training conditions were (`upsample`).
 *
 * Warnings:
 * - a conditioned stage's `sigmaAug` is outside the trained condition noise range (a uniform
 *   or fixed distribution's support, the central 99.8 % of a log-normal);
 * - a conditioned stage's condition comes from another resolution than in training (the trainer
 *   conditions on the next lower model resolution; a plan may skip one) (`conditioned`);
 * - the stage's start sigma (`start.sigmaStart`, or `schedule.sigmaMax` for a noise start) is
 *   above its trained sigma range, i.e. where fewer than 0.1 % of the stage's training draws lay
 *   (`TRAINED_TAIL` of @lowdiff/model), unless that range already reaches pure noise (20 sigma_data).
 *
 * The low end is not checked: as sigma -> 0 the preconditioned denoiser tends to its input.
 */
export function checkPlanAgainstTraining(plan: ResolvedCascadePlan, facts: TrainedFor): TrainingFinding[] {
  const findings: TrainingFinding[] = [];
  const trainedList = facts.stages.map((s) => `${s.resolution}x${s.resolution} ${s.conditioned ? 'conditioned' : 'unconditioned'}`).join(', ');
  plan.stages.forEach((stage, i) => {
    const r = stage.resolution;
    const conditioned = i > 0 && stage.conditioned;
    const label = `stage ${i} (${r}x${r}, ${conditioned ? 'conditioned' : 'unconditioned'})`;
    const add = (field: string, severity: TrainingFinding['severity'], what: string) => findings.push({ stageIndex: i, field, severity, message: `${label}: ${what}` });

    const trained = facts.stages.find((s) => s.resolution === r && s.conditioned === conditioned);
    if (!trained) {
      const field = facts.stages.some((s) => s.resolution === r) ? 'conditioned' : 'resolution';
      add(field, 'error', `the model was never trained on this stage (trained: ${trainedList})`);
    }
    if (conditioned) {
      if (stage.upsample !== facts.conditionUpsample)
        add('upsample', 'error', `upsample '${stage.upsample}' differs from the trained condition upsampling '${facts.conditionUpsample}'`);
      const [lo, hi] = facts.conditionNoise.range;
      if (stage.sigmaAug < lo * (1 - 1e-9) || stage.sigmaAug > hi * (1 + 1e-9))
        add('sigmaAug', 'warning', `sigmaAug ${num(stage.sigmaAug)} is outside the trained condition noise ${lo === hi ? num(lo) : `${num(lo)}..${num(hi)}`}`);
      const from = plan.stages[i - 1].resolution;
      if (trained?.conditionResolution != null && from !== trained.conditionResolution)
        add('conditioned', 'warning', `its condition comes from ${from}x${from} (stage ${i - 1}), but it was trained on conditions from ${trained.conditionResolution}x${trained.conditionResolution}`);
    }
    if (trained) {
      const top = trained.sigmaRange[1];
      const [field, start] = stage.start.kind === 'upsampled' ? ['start.sigmaStart', stage.start.sigmaStart] : ['schedule.sigmaMax', stage.schedule.sigmaMax];
      if (start > top * (1 + 1e-9) && top < PURE_NOISE_SIGMAS * facts.sigmaData)
        add(field, 'warning', `${field} ${num(start)} is above the sigmas it was trained on (99.9 % of its training draws were below ${num(top)})`);
    }
  });
  return findings;
}

/** 3 significant digits, without trailing zeros: 12.28376 -> 12.3, 0.5 -> 0.5. */
const num = (x: number) => String(Number(x.toPrecision(3)));
