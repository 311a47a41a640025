import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { EdmDenoiser, type ModelConfigInput, type StageCall } from '@lowdiff/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrtDenoiser, OrtError } from '../src';

beforeAll(() => initBackend({ backend: 'wasm' }));

/** A model with every weight random: fresh models start with zero heads, which would hide errors. */
function randomModel(config: ModelConfigInput, seed: number): EdmDenoiser {
  const model = new EdmDenoiser(config, seed);
  const rng = new Rng(seed + 1);
  for (const [, v] of model.store.entries()) v.assign(tf.tensor(rng.normalArray(v.size, 0, 0.3), v.shape));
  return model;
}

const UNET: ModelConfigInput = {
  kind: 'unet',
  channels: 2,
  resolution: 16,
  stageResolutions: [4, 8, 16],
  numClasses: 3,
  baseChannels: 8,
  channelMult: [1, 2, 1],
  groupNormGroups: 4,
  attentionResolutions: [8, 4],
  attentionHeads: 2,
  noiseEmbedding: 'fourier',
};
const DIT: ModelConfigInput = { kind: 'dit', channels: 3, resolution: 8, stageResolutions: [4, 8], numClasses: 0, patchSize: 2, hiddenSize: 16, depth: 2, heads: 2 };

function relativeError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

describe.each([
  ['UNet', UNET],
  ['DiT', DIT],
])('OrtDenoiser (%s)', (_name, config) => {
  const model = randomModel(config, 7);
  let ort: OrtDenoiser;
  beforeAll(async () => {
    ort = await OrtDenoiser.create(model, { threads: 1 });
  });
  afterAll(() => ort.dispose());

  const sigmas = new Float32Array([0.002, 0.05, 1, 14, 80]);
  it.each(model.resolutions.flatMap((r) => [true, false].flatMap((conditioned) => [true, false].map((labelled) => [r, conditioned, labelled] as const))))(
    'equals the tfjs model at resolution %i (conditioned %s, labels %s) for sigma 0.002..80',
    async (r, conditioned, labelled) => {
      const n = sigmas.length;
      const rng = new Rng(r * 10 + Number(conditioned));
      const c = model.channels;
      const x = rng.normalTensor([n, r, r, c], 0, 1) as tf.Tensor4D;
      const call: StageCall = {
        resolution: r,
        condition: conditioned ? (rng.normalTensor([n, r, r, c], 0, 0.5) as tf.Tensor4D) : null,
        sigmaAug: conditioned ? new Float32Array([0, 0.01, 0.2, 0.5, 1]) : undefined,
        classLabels: labelled && model.numClasses > 0 ? tf.tensor1d([0, 1, 2, 3, 1], 'int32') : null,
      };
      const want = model.denoise(x, sigmas, call);
      const got = await ort.denoise(x, sigmas, call);
      expect(got.shape).toEqual(want.shape);
      expect(relativeError(got.dataSync() as Float32Array, want.dataSync() as Float32Array)).toBeLessThan(1e-4);
      tf.dispose([x, want, got, call.condition!, call.classLabels!].filter(Boolean));
    },
  );

  it('serves any batch size from one session and rejects what the model would reject', async () => {
    const r = model.resolutions[0];
    const x = tf.zeros([3, r, r, model.channels]) as tf.Tensor4D;
    const y = await ort.denoise(x, 2, { resolution: r });
    expect(y.shape).toEqual([3, r, r, model.channels]);
    await expect(ort.denoise(x, 2, { resolution: 5 })).rejects.toThrow(/resolution 5 is not a stage/);
    await expect(ort.denoise(x, new Float32Array(2), { resolution: r })).rejects.toThrow(/sigma has 2 values for a batch of 3/);
    await expect(ort.denoise(x, 1, { resolution: r }, { training: true })).rejects.toThrow(OrtError);
    tf.dispose([x, y]);
  });

  it('does not leak tfjs tensors across calls', async () => {
    const r = model.resolutions[model.resolutions.length - 1];
    const x = tf.ones([2, r, r, model.channels]) as tf.Tensor4D;
    (await ort.denoise(x, 1, { resolution: r })).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) (await ort.denoise(x, 1, { resolution: r })).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
