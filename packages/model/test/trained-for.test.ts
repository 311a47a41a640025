import { initBackend, Rng } from '@lowdiff/backend';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, EdmDenoiser, forSampling, loadCheckpoint, logNormalRange, readSafetensorsMetadata, readTrainedFor, saveCheckpoint, SafetensorsError, TRAINED_TAIL, trainedForFromTraining, type ModelConfigInput } from '../src';

beforeAll(() => initBackend({ backend: 'wasm' }));

// The standard normal's 0.999 quantile (tables; e.g. scipy.stats.norm.ppf(0.999)).
const Z_999 = 3.090232306167813;
const MODEL = { stageResolutions: [8, 16, 32], sigmaData: 0.5 };
// What the trainer writes into `training.config` (every default filled in), as in the shipped checkpoint.
const TRAINING_CONFIG = {
  stages: [
    { resolution: 8, probability: 1, conditioned: false, pMean: -1.2, pStd: 1.2, lossWeight: 1 },
    { resolution: 16, probability: 1, conditioned: true, pMean: -1.2, pStd: 1.2, lossWeight: 1 },
    { resolution: 32, probability: 1, conditioned: true, pMean: -2, pStd: 1, lossWeight: 1 },
    { resolution: 32, probability: 1, conditioned: false, pMean: -1.2, pStd: 1.2, lossWeight: 1 },
  ],
  conditionAugmentation: { kind: 'uniform', min: 0, max: 0.5 },
  conditionUpsample: 'bilinear',
  labelDropout: 0.1,
  batchSize: 64,
  steps: 20000,
};

describe('trained-for facts', () => {
  it('an untruncated stage range is exp(pMean -/+ pStd z_0.999)', () => {
    const [lo, hi] = logNormalRange({ pMean: -1.2, pStd: 1.2 });
    expect(TRAINED_TAIL).toBe(0.001);
    expect(lo).toBeCloseTo(Math.exp(-1.2 - 1.2 * Z_999), 12);
    expect(hi).toBeCloseTo(Math.exp(-1.2 + 1.2 * Z_999), 10);
    expect(hi).toBeCloseTo(12.28, 2);
  });

  it('a truncated range leaves 0.1 % of the truncated draws outside each end (Monte Carlo)', () => {
    const n = { pMean: -1.2, pStd: 1.2, sigmaMin: 0.05, sigmaMax: 5 };
    const [lo, hi] = logNormalRange(n);
    expect(lo).toBeGreaterThan(0.05);
    expect(hi).toBeLessThan(5);
    const rng = new Rng(11);
    let kept = 0;
    let below = 0;
    let above = 0;
    for (let i = 0; i < 400_000; i++) {
      const sigma = Math.exp(n.pMean + n.pStd * rng.normal());
      if (sigma < n.sigmaMin || sigma > n.sigmaMax) continue;
      kept++;
      if (sigma < lo) below++;
      if (sigma > hi) above++;
    }
    // ~340 expected each side of ~340k kept draws (sd ~18): 25 % is over 4 sd.
    expect(below / kept).toBeGreaterThan(0.00075);
    expect(below / kept).toBeLessThan(0.00125);
    expect(above / kept).toBeGreaterThan(0.00075);
    expect(above / kept).toBeLessThan(0.00125);
    // A truncation where the log-normal has no mass in double precision: its ends are the range.
    expect(logNormalRange({ pMean: -1.2, pStd: 0.1, sigmaMin: 1e6, sigmaMax: 2e6 })).toEqual([1e6, 2e6]);
  });

  it('reads stages, condition resolutions, condition noise and upsampling from the training config', () => {
    const facts = trainedForFromTraining({ step: 10, config: TRAINING_CONFIG }, MODEL)!;
    expect(facts.stages.map((s) => [s.resolution, s.conditioned, s.conditionResolution])).toEqual([
      [8, false, null],
      [16, true, 8],
      [32, true, 16],
      [32, false, null],
    ]);
    expect(facts.stages[2].noise).toEqual({ pMean: -2, pStd: 1 });
    expect(facts.stages[2].sigmaRange[1]).toBeCloseTo(Math.exp(-2 + Z_999), 10);
    expect(facts.conditionNoise).toEqual({ augmentation: { kind: 'uniform', min: 0, max: 0.5 }, range: [0, 0.5] });
    expect(facts.conditionUpsample).toBe('bilinear');
    expect(facts.sigmaData).toBe(0.5);
    // Plain JSON: it goes into export manifests as it is.
    expect(JSON.parse(JSON.stringify(facts))).toEqual(facts);
  });

  it('reads an explicit sigma truncation and every condition-noise kind; tolerates keys it does not know', () => {
    const config = (extra: object) => ({ ...TRAINING_CONFIG, ...extra });
    const truncated = trainedForFromTraining({ config: config({ stages: [{ resolution: 8, conditioned: false, sigmaMax: 3, futureKnob: 1 }], newField: true }) }, MODEL)!;
    expect(truncated.stages[0].noise).toEqual({ pMean: -1.2, pStd: 1.2, sigmaMax: 3 });
    expect(truncated.stages[0].sigmaRange[1]).toBeLessThan(3);
    const range = (conditionAugmentation: object) => trainedForFromTraining({ config: config({ conditionAugmentation }) }, MODEL)!.conditionNoise.range;
    expect(range({ kind: 'none' })).toEqual([0, 0]);
    expect(range({ kind: 'fixed', sigma: 0.1 })).toEqual([0.1, 0.1]);
    const [lo, hi] = range({ kind: 'lognormal', pMean: -3, pStd: 0.5 });
    expect(lo).toBeCloseTo(Math.exp(-3 - 0.5 * Z_999), 12);
    expect(hi).toBeCloseTo(Math.exp(-3 + 0.5 * Z_999), 12);
  });

  it('is null without a training config, or with one it cannot read', () => {
    expect(trainedForFromTraining(undefined, MODEL)).toBeNull();
    expect(trainedForFromTraining({ step: 3 }, MODEL)).toBeNull();
    expect(trainedForFromTraining({ config: { stages: [] } }, MODEL)).toBeNull();
    expect(trainedForFromTraining({ config: { ...TRAINING_CONFIG, conditionUpsample: 'bicubic' } }, MODEL)).toBeNull();
  });

  it('travels with the loaded model; the header alone gives the same facts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trained-for-'));
    const cfg = { kind: 'unet', channels: 1, resolution: 32, stageResolutions: [8, 16, 32], numClasses: 0, baseChannels: 8, groupNormGroups: 4, attentionResolutions: [] } satisfies ModelConfigInput;
    const model = new EdmDenoiser(cfg, 0);
    expect(model.trainedFor).toBeNull();
    const path = join(dir, 'trained.safetensors');
    await saveCheckpoint(path, model, { training: { step: 1, config: TRAINING_CONFIG } });
    const bare = join(dir, 'bare.safetensors');
    await saveCheckpoint(bare, model);
    model.dispose();

    const want = trainedForFromTraining({ config: TRAINING_CONFIG }, MODEL);
    const loaded = forSampling(await loadCheckpoint(path));
    expect(loaded.model.trainedFor).toEqual(want);
    expect(await readTrainedFor(path)).toEqual(want);
    loaded.model.dispose();
    const plain = await loadCheckpoint(bare);
    expect(plain.model.trainedFor).toBeNull();
    expect(await readTrainedFor(bare)).toBeNull();
    plain.model.dispose();
    expect((await readSafetensorsMetadata(path)).format).toBe('lowdiff-checkpoint/1');

    // A header that claims more than the file holds, and a file that is not a checkpoint.
    const truncated = join(dir, 'truncated.safetensors');
    const header = Buffer.alloc(16);
    header.writeBigUInt64LE(1000n, 0);
    await writeFile(truncated, header);
    await expect(readSafetensorsMetadata(truncated)).rejects.toThrow(SafetensorsError);
    await expect(readSafetensorsMetadata(truncated)).rejects.toThrow(/header claims 1000 bytes but the file has 8/);
    await expect(readTrainedFor(truncated)).rejects.toThrow(CheckpointError);
    await expect(readTrainedFor(join(dir, 'missing.safetensors'))).rejects.toThrow(/no such file/);
  });
});
