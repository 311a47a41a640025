import { describe, expect, it } from 'vitest';
import { checkPlanAgainstTraining, parseCascadePlan, type CascadePlan, type TrainedFor } from '../src';

// The step-10,000 checkpoint's facts (stages 8 / 16c / 32c / 32, EDM's log-normal, condition noise
// uniform 0..0.5, bilinear), written out: the sampler reads them structurally, never from
// @lowdiff/model at run time. 12.28 = exp(-1.2 + 1.2 z_0.999).
const STEP_10K: TrainedFor = {
  stages: [
    { resolution: 8, conditioned: false, conditionResolution: null, noise: { pMean: -1.2, pStd: 1.2 }, sigmaRange: [0.00739, 12.28] },
    { resolution: 16, conditioned: true, conditionResolution: 8, noise: { pMean: -1.2, pStd: 1.2 }, sigmaRange: [0.00739, 12.28] },
    { resolution: 32, conditioned: true, conditionResolution: 16, noise: { pMean: -1.2, pStd: 1.2 }, sigmaRange: [0.00739, 12.28] },
    { resolution: 32, conditioned: false, conditionResolution: null, noise: { pMean: -1.2, pStd: 1.2 }, sigmaRange: [0.00739, 12.28] },
  ],
  conditionNoise: { augmentation: { kind: 'uniform', min: 0, max: 0.5 }, range: [0, 0.5] },
  conditionUpsample: 'bilinear',
  sigmaData: 0.5,
};
// Refinement stages trained on low noise only: ln(sigma) ~ N(-2, 1), 99.9 % below exp(-2 + 3.09) = 2.97.
const LOW_NOISE: TrainedFor = { ...STEP_10K, stages: STEP_10K.stages.map((s) => (s.conditioned ? { ...s, noise: { pMean: -2, pStd: 1 }, sigmaRange: [0.00614, 2.97] } : s)) };

const check = (stages: CascadePlan['stages'], facts = STEP_10K) => checkPlanAgainstTraining(parseCascadePlan({ stages }), facts);
const up = (sigmaStart: number) => ({ kind: 'upsampled' as const, sigmaStart });

describe('checkPlanAgainstTraining', () => {
  it('finds nothing in a plan inside what the model was trained for', () => {
    expect(check([{ resolution: 8, steps: 4 }, { resolution: 16, steps: 2, start: up(3), sigmaAug: 0.5 }, { resolution: 32, steps: 2, start: up(3), sigmaAug: 0 }])).toEqual([]);
    // The first stage's `conditioned` (default true) means nothing: it has no condition.
    expect(check([{ resolution: 32, steps: 4 }])).toEqual([]);
    // SDEdit-style: the unconditioned 32x32 mode from the upsampled 8x8 image.
    expect(check([{ resolution: 8, steps: 4 }, { resolution: 32, steps: 2, conditioned: false, start: up(12) }])).toEqual([]);
  });

  it('errs on a (resolution, conditioned) pair never trained', () => {
    expect(check([{ resolution: 16, steps: 4 }])).toEqual([
      {
        stageIndex: 0,
        field: 'conditioned',
        severity: 'error',
        message: 'stage 0 (16x16, unconditioned): the model was never trained on this stage (trained: 8x8 unconditioned, 16x16 conditioned, 32x32 conditioned, 32x32 unconditioned)',
      },
    ]);
    expect(check([{ resolution: 8, steps: 4 }, { resolution: 16, steps: 2, conditioned: false, start: up(3) }]).map((f) => [f.stageIndex, f.field, f.severity])).toEqual([[1, 'conditioned', 'error']]);
    expect(check([{ resolution: 4, steps: 4 }]).map((f) => [f.field, f.severity])).toEqual([['resolution', 'error']]);
  });

  it('errs on a conditioned stage that upsamples otherwise than its training conditions', () => {
    expect(check([{ resolution: 8, steps: 4 }, { resolution: 16, steps: 2, upsample: 'nearest', start: up(3) }])).toEqual([
      { stageIndex: 1, field: 'upsample', severity: 'error', message: "stage 1 (16x16, conditioned): upsample 'nearest' differs from the trained condition upsampling 'bilinear'" },
    ]);
    // Without a condition the mode only shapes the start, which the network never saw as such.
    expect(check([{ resolution: 8, steps: 4 }, { resolution: 32, steps: 2, conditioned: false, upsample: 'nearest', start: up(12) }])).toEqual([]);
  });

  it('warns on sigmaAug outside the trained condition noise', () => {
    expect(check([{ resolution: 8, steps: 4 }, { resolution: 16, steps: 2, start: up(3) }, { resolution: 32, steps: 2, start: up(3), sigmaAug: 1 }])).toEqual([
      { stageIndex: 2, field: 'sigmaAug', severity: 'warning', message: 'stage 2 (32x32, conditioned): sigmaAug 1 is outside the trained condition noise 0..0.5' },
    ]);
    const fixed: TrainedFor = { ...STEP_10K, conditionNoise: { augmentation: { kind: 'fixed', sigma: 0.1 }, range: [0.1, 0.1] } };
    expect(check([{ resolution: 8, steps: 4 }, { resolution: 16, steps: 2, start: up(3), sigmaAug: 0.05 }], fixed).map((f) => f.message)).toEqual([
      'stage 1 (16x16, conditioned): sigmaAug 0.05 is outside the trained condition noise 0.1',
    ]);
  });

  it('warns on a condition made from another resolution than in training', () => {
    expect(check([{ resolution: 8, steps: 4 }, { resolution: 32, steps: 2, start: up(3) }])).toEqual([
      { stageIndex: 1, field: 'conditioned', severity: 'warning', message: 'stage 1 (32x32, conditioned): its condition comes from 8x8 (stage 0), but it was trained on conditions from 16x16' },
    ]);
  });

  it('warns on a start sigma above the trained range, unless that range reaches pure noise', () => {
    const cascade = (sigmaStart: number): CascadePlan['stages'] => [{ resolution: 8, steps: 4 }, { resolution: 16, steps: 2, start: up(sigmaStart) }];
    expect(check(cascade(3), LOW_NOISE)).toEqual([
      { stageIndex: 1, field: 'start.sigmaStart', severity: 'warning', message: 'stage 1 (16x16, conditioned): start.sigmaStart 3 is above the sigmas it was trained on (99.9 % of its training draws were below 2.97)' },
    ]);
    expect(check(cascade(2.9), LOW_NOISE)).toEqual([]);
    const fromNoise: CascadePlan['stages'] = [{ resolution: 8, steps: 4 }, { resolution: 16, steps: 2 }];
    expect(check(fromNoise, LOW_NOISE).map((f) => f.message)).toEqual([
      'stage 1 (16x16, conditioned): schedule.sigmaMax 80 is above the sigmas it was trained on (99.9 % of its training draws were below 2.97)',
    ]);
    // EDM's own setting: trained to 12.3 = 24.6 sigma_data (pure noise), sampled from 80.
    expect(check(fromNoise)).toEqual([]);
    expect(check(cascade(40))).toEqual([]);
  });

  it('reports every finding of a plan, stage by stage', () => {
    const findings = check([{ resolution: 16, steps: 2 }, { resolution: 32, steps: 2, upsample: 'nearest', sigmaAug: 2, start: up(3) }], LOW_NOISE);
    expect(findings.map((f) => [f.stageIndex, f.field, f.severity])).toEqual([
      [0, 'conditioned', 'error'],
      [1, 'upsample', 'error'],
      [1, 'sigmaAug', 'warning'],
      [1, 'start.sigmaStart', 'warning'],
    ]);
  });
});
