import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@lowdiff/backend';
import { EdmDenoiser, saveCheckpoint } from '@lowdiff/model';
import { cascadePlan, baselinePlan } from '@lowdiff/sampler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError, generate, runBench, SamplingPool } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'lowdiff-pool-'));
beforeAll(() => initBackend({ backend: 'wasm' }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SamplingPool', () => {
  it('makes exactly the images one thread makes, for generate and plan by plan in a bench, in two workers', async () => {
    const model = new EdmDenoiser({ kind: 'unet', channels: 1, resolution: 8, stageResolutions: [4, 8], numClasses: 3, baseChannels: 8, channelMult: [1, 1], attentionResolutions: [], groupNormGroups: 4 }, 7);
    const checkpoint = join(dir, 'model.safetensors');
    // What the trainer records: the pool checks plans against it in this thread, before any task goes out.
    const config = { stages: [{ resolution: 4, conditioned: false }, { resolution: 8, conditioned: true }, { resolution: 8, conditioned: false }], conditionUpsample: 'bilinear' };
    await saveCheckpoint(checkpoint, model, { training: { config } });
    const plans = [baselinePlan(8, 3, 'heun'), cascadePlan([4, 8], [3, 2], { start: { kind: 'upsampled', sigmaStart: 1 } })];
    const options = { count: 7, rounds: 3, seed: 5, batchSize: 2, data: 'fashion-mnist', metrics: false, stripCount: 2 };
    const single = await runBench(plans.map((plan) => ({ plan, model })), options);
    const pool = new SamplingPool({ checkpoint, backend: 'wasm' }, 2);
    const request = { count: 5, seed: 9, labels: [0, 1, 2, 0, 1], batchSize: 2, stripCount: 3 };
    const progress: number[] = [];
    const [oneThread, spread] = [await generate(model, plans[1], request), await pool.generate(plans[1], { ...request, onBatch: (d) => void progress.push(d) })];
    expect(Array.from(spread.images)).toEqual(Array.from(oneThread.images));
    expect(spread.labels).toEqual(oneThread.labels);
    expect(Array.from(spread.strip[1].images)).toEqual(Array.from(oneThread.strip[1].images));
    expect(progress.sort((a, b) => a - b).at(-1)).toBe(5);
    const nearest = cascadePlan([4, 8], [1, 1], { upsample: 'nearest' });
    await expect(pool.run({ plan: nearest, count: 1, seed: 0, firstIndex: 0, batchSize: 1, stripCount: 0 })).rejects.toThrow(CliError);
    await expect(pool.generate(nearest, { count: 1, seed: 0, batchSize: 1 })).rejects.toThrow(/stage 1 \(8x8, conditioned\): upsample 'nearest' differs/);
    const pooled = await runBench(plans.map((plan) => ({ plan, model })), { ...options, pool }).finally(() => pool.close());
    for (const [i, g] of pooled.generated.entries()) {
      const want = single.generated[i];
      expect(g.count).toBe(7);
      expect(g.labels).toEqual(want.labels);
      expect(Array.from(g.images)).toEqual(Array.from(want.images));
      expect(Array.from(g.firstStage)).toEqual(Array.from(want.firstStage));
      expect(Array.from(g.strip[0].images)).toEqual(Array.from(want.strip[0].images));
    }
    expect(pooled.rows.map((r) => [r.nfe, r.effectiveNfe])).toEqual(single.rows.map((r) => [r.nfe, r.effectiveNfe]));
    expect(pooled.rows[0].speedup).toBe(1);
    model.dispose();
  }, 300_000);
});
