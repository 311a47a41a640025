import { describe, expect, it } from 'vitest';
import { karrasSigmas } from '@lowdiff/schedule';
import { baselinePlan, cascadePlan, CascadePlanError, checkPlanForModel, DEFAULT_SIGMA_AUG, parseCascadePlan, stageSigmas } from '../src';

const model = { resolutions: [8, 16, 32], numClasses: 0 };

function planError(plan: unknown): string {
  try {
    parseCascadePlan(plan);
  } catch (error) {
    expect(error).toBeInstanceOf(CascadePlanError);
    return (error as Error).message;
  }
  throw new Error('plan was accepted');
}

describe('CascadePlanSchema', () => {
  it('fills in EDM defaults', () => {
    const plan = parseCascadePlan({ stages: [{ resolution: 8, steps: 18 }, { resolution: 16, steps: 6 }] });
    expect(plan.stages[1]).toEqual({
      resolution: 16,
      steps: 6,
      solver: 'heun',
      schedule: { kind: 'karras', sigmaMin: 0.002, sigmaMax: 80, rho: 7 },
      start: { kind: 'noise' },
      conditioned: true,
      sigmaAug: DEFAULT_SIGMA_AUG,
      upsample: 'bilinear',
    });
  });

  it('rejects resolutions that do not strictly increase', () => {
    expect(planError({ stages: [{ resolution: 16, steps: 4 }, { resolution: 16, steps: 4 }] })).toBe(
      "Invalid CascadePlan: stages.1.resolution: must be > the previous stage's resolution (16); resolutions must strictly increase",
    );
  });

  it('rejects steps < 1 and non-integer steps', () => {
    expect(planError({ stages: [{ resolution: 8, steps: 0 }] })).toBe('Invalid CascadePlan: stages.0.steps: must be >= 1');
    expect(planError({ stages: [{ resolution: 8, steps: 2.5 }] })).toMatch(/stages\.0\.steps: must be an integer/);
  });

  it('rejects sigmaStart above the stage sigmaMax, or at or below its sigmaMin', () => {
    const stages = (sigmaStart: number, schedule = {}) => ({
      stages: [
        { resolution: 8, steps: 4 },
        { resolution: 16, steps: 4, start: { kind: 'upsampled', sigmaStart }, schedule: { kind: 'karras', ...schedule } },
      ],
    });
    expect(planError(stages(100))).toBe("Invalid CascadePlan: stages.1.start.sigmaStart: must be <= the stage's sigmaMax (80)");
    expect(planError(stages(20, { sigmaMax: 10 }))).toMatch(/sigmaStart: must be <= the stage's sigmaMax \(10\)/);
    expect(planError(stages(0.001))).toMatch(/sigmaStart: must be > the stage's sigmaMin \(0.002\)/);
    expect(() => parseCascadePlan(stages(80))).not.toThrow();
  });

  it("rejects a first stage that starts from 'upsampled'", () => {
    expect(planError({ stages: [{ resolution: 8, steps: 4, start: { kind: 'upsampled', sigmaStart: 1 } }] })).toBe(
      "Invalid CascadePlan: stages.0.start: the first stage has no previous output to upsample; use { kind: 'noise' }",
    );
  });

  it('names other bad fields: empty plans, unknown solvers, typos, churn on the wrong solver', () => {
    expect(planError({ stages: [] })).toMatch(/stages: must list at least one stage/);
    expect(planError({ stages: [{ resolution: 8, steps: 4, solver: 'rk4' }] })).toMatch(/stages\.0\.solver: .*"euler"\|"heun"\|"dpmpp2m"\|"churn"/);
    expect(planError({ stages: [{ resolution: 8, steps: 4, sigma_aug: 0.1 }] })).toMatch(/stages\.0: Unrecognized key: "sigma_aug"/);
    expect(planError({ stages: [{ resolution: 8, steps: 4 }, { resolution: 16, steps: 4, conditioned: false }] })).toBe(
      "Invalid CascadePlan: stages.1.conditioned: false needs start { kind: 'upsampled' }: without a condition, the stage would ignore the previous output",
    );
    expect(planError({ stages: [{ resolution: 8, steps: 4, churn: { sChurn: 10 } }] })).toMatch(/stages\.0\.churn: is only used by solver 'churn'/);
    expect(planError({ stages: [{ resolution: 8, steps: 4, schedule: { kind: 'karras', sigmaMin: 5, sigmaMax: 1 } }] })).toMatch(
      /stages\.0\.schedule\.sigmaMin: must be < sigmaMax/,
    );
    expect(planError({ stages: [{ resolution: 8, steps: 4, guidance: { scale: 2, interval: [3, 1] } }] })).toMatch(/stages\.0\.guidance\.interval/);
  });

  it("checks resolutions against the model's, and guidance against an unconditional model", () => {
    expect(() => checkPlanForModel(parseCascadePlan({ stages: [{ resolution: 8, steps: 4 }, { resolution: 24, steps: 2 }] }), model)).toThrow(
      "Invalid CascadePlan: stages.1.resolution: 24 is not one of the model's resolutions (8, 16, 32)",
    );
    expect(() => checkPlanForModel(parseCascadePlan({ stages: [{ resolution: 8, steps: 4, guidance: { scale: 2 } }] }), model)).toThrow(
      /stages\.0\.guidance: the model is unconditional/,
    );
    expect(() => checkPlanForModel(cascadePlan([8, 16, 32], [9, 4, 2]), model)).not.toThrow();
  });
});

describe('presets and stage sigmas', () => {
  it('baselinePlan is one Heun stage, EDM CIFAR-10 by default', () => {
    const plan = baselinePlan(32);
    expect(plan.name).toBe('baseline-heun-18@32');
    expect(plan.stages.map((s) => [s.resolution, s.steps, s.solver, s.start.kind])).toEqual([[32, 18, 'heun', 'noise']]);
    expect(stageSigmas(plan.stages[0])).toEqual(karrasSigmas({ steps: 18 }));
  });

  it('an upsampled start rebuilds the Karras list from sigmaStart', () => {
    const plan = cascadePlan([8, 16], [6, 4], { start: { kind: 'upsampled', sigmaStart: 2.5 } });
    expect(plan.stages[0].start).toEqual({ kind: 'noise' });
    expect(stageSigmas(plan.stages[1])).toEqual(karrasSigmas({ steps: 4, sigmaMax: 2.5 }));
    expect(stageSigmas(plan.stages[1])[0]).toBe(2.5);
  });
});
