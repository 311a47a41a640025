import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import { readTrainedFor, type TrainedFor } from '@lowdiff/model';
import { checkPlanAgainstTraining, parseCascadePlan, planPresets } from '@lowdiff/sampler';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPlanTraining, CliError, generate } from '../src';

const SHIPPED = fileURLToPath(new URL('../../../apps/pixel/checkpoints/fmnist-lowdiff.safetensors', import.meta.url));

let facts: TrainedFor;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  facts = (await readTrainedFor(SHIPPED))!;
});

/** A stand-in network with the shipped model's stages that counts its calls (D = 0: the images do not matter here). */
function fakeModel(trainedFor: TrainedFor | null) {
  const model = {
    resolutions: [8, 16, 32],
    channels: 1,
    numClasses: 0,
    sigmaData: 0.5,
    trainedFor,
    calls: 0,
    denoise: (x: tf.Tensor4D) => (model.calls++, tf.zerosLike(x)),
    flopsPerCall: (r: number) => r * r,
  };
  return model;
}

const WARNED = parseCascadePlan({ name: 'aug1.5', stages: [{ resolution: 8, steps: 1 }, { resolution: 16, steps: 1, start: { kind: 'upsampled', sigmaStart: 1 }, sigmaAug: 1.5 }] });
const NEAREST = parseCascadePlan({ stages: [{ resolution: 8, steps: 1 }, { resolution: 16, steps: 1, upsample: 'nearest' }] });

describe('plans against the shipped checkpoint', () => {
  it('its header says what it was trained for', () => {
    expect(facts.stages.map((s) => `${s.resolution}${s.conditioned ? 'c' : ''}`)).toEqual(['8', '16c', '32c', '32']);
    expect(facts.conditionNoise.range).toEqual([0, 1]);
    expect(facts.conditionUpsample).toBe('bilinear');
  });

  it('every shipped preset fits it (no errors, no warnings: apps/pixel/README.md says so) but lowdiff-2, made for another stage mix', () => {
    for (const [name, make] of Object.entries(planPresets(32))) {
      const findings = checkPlanAgainstTraining(make(), facts).map((f) => `${f.severity}: ${f.message}`);
      // lowdiff-2 starts at r/2 from noise: for models trained with --stages lowdiff-2 (an unconditioned 16x16 stage).
      if (name === 'lowdiff-2')
        expect(findings).toEqual(['error: stage 0 (16x16, unconditioned): the model was never trained on this stage (trained: 8x8 unconditioned, 16x16 conditioned, 32x32 conditioned, 32x32 unconditioned)']);
      else expect(findings, name).toEqual([]);
    }
  });
});

describe('generate checks the plan against model.trainedFor', () => {
  it('a mismatch stops before anything is sampled, with a CliError naming the stage and both values', async () => {
    const model = fakeModel(facts);
    const run = generate(model, NEAREST, { count: 2, seed: 0, batchSize: 2 });
    await expect(run).rejects.toThrow(CliError);
    await expect(run).rejects.toThrow(
      "plan custom does not fit what the model was trained for: stage 1 (16x16, conditioned): upsample 'nearest' differs from the trained condition upsampling 'bilinear'",
    );
    expect(model.calls).toBe(0);
  });

  it('warnings are returned with the samples and printed once per process', async () => {
    const printed: string[] = [];
    const line = 'warning: plan aug1.5: stage 1 (16x16, conditioned): sigmaAug 1.5 is outside the trained condition noise 0..1';
    expect(checkPlanTraining(facts, WARNED, (l) => printed.push(l)).map((f) => f.field)).toEqual(['sigmaAug']);
    expect(checkPlanTraining(facts, WARNED, (l) => printed.push(l))).toHaveLength(1);
    expect(printed).toEqual([line]);
    const model = fakeModel(facts);
    const g = await generate(model, WARNED, { count: 2, seed: 0, batchSize: 1 });
    expect(g.trainingWarnings?.map((f) => f.message)).toEqual([line.replace('warning: plan aug1.5: ', '')]);
    expect(model.calls).toBeGreaterThan(0);
  });

  it('a model without training facts samples any plan, unchecked', async () => {
    const g = await generate(fakeModel(null), NEAREST, { count: 1, seed: 0, batchSize: 1 });
    expect(g.trainingWarnings).toBeUndefined();
    expect(checkPlanTraining(null, NEAREST)).toEqual([]);
  });
});
