import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@lowdiff/backend';
import { planPresets, planSweeps, runCascade } from '../src';
import { FakeUnifiedModel } from './helpers';

beforeAll(() => initBackend({ backend: 'wasm' }));

/** Network evaluations of one run of a preset, counted by running it (model at 8x8, one sample). */
async function runNfe(name: string, guidance?: number): Promise<number> {
  const plan = planPresets(8)[name]();
  const model = new FakeUnifiedModel([8], 1, guidance ? 10 : 0, 0.5, 0.1, false);
  const guided = guidance ? { ...plan, stages: plan.stages.map((s) => ({ ...s, guidance: { scale: guidance } })) } : plan;
  const result = await runCascade(model, guided, { count: 1, seed: 0, classLabels: guidance ? [3] : undefined });
  result.images.dispose();
  return result.nfe;
}

describe('plan presets', () => {
  it('has full-resolution Heun baselines at N steps (2N - 1 NFE) and DPM-Solver++(2M) at the same NFE', async () => {
    const before = tf.memory().numTensors;
    for (const n of [6, 8, 10, 14, 18]) {
      const heun = planPresets(32)[`baseline-heun-${n}`]();
      const dpm = planPresets(32)[`baseline-dpmpp2m-${2 * n - 1}`]();
      expect(heun.stages.map((s) => [s.resolution, s.steps, s.solver, s.start.kind])).toEqual([[32, n, 'heun', 'noise']]);
      expect(dpm.stages.map((s) => [s.resolution, s.steps, s.solver, s.start.kind])).toEqual([[32, 2 * n - 1, 'dpmpp2m', 'noise']]);
      expect(heun.name).toBe(`baseline-heun-${n}@32`);
      expect(dpm.name).toBe(`baseline-dpmpp2m-${2 * n - 1}@32`);
      expect(await runNfe(`baseline-heun-${n}`), `heun ${n}`).toBe(2 * n - 1);
      expect(await runNfe(`baseline-dpmpp2m-${2 * n - 1}`), `dpmpp2m ${2 * n - 1}`).toBe(2 * n - 1);
    }
    // Guidance doubles every call of both (the CLIs' 32:70 for EDM's 18 steps at guidance 2).
    expect(await runNfe('baseline-heun-18', 2)).toBe(70);
    expect(await runNfe('baseline-dpmpp2m-35', 2)).toBe(70);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the frontier sweep is every baseline, EDM 18-step Heun first, and the LowDiff cascades', () => {
    const names = Object.keys(planPresets(32));
    const { frontier } = planSweeps();
    expect(frontier[0]).toBe('baseline-heun-18');
    expect(frontier.filter((n) => n.startsWith('baseline-'))).toEqual(names.filter((n) => n.startsWith('baseline-')));
    expect(frontier).toHaveLength(13);
    expect(frontier.slice(-3)).toEqual(['lowdiff-3', 'lowdiff-3-dpm', 'lowdiff-3-sdedit']);
    for (const name of frontier) expect(names).toContain(name);
  });
});
