import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeModel, EdmDenoiser, ModelConfigError, ModelInputError, REFERENCE_DIT_LATENT, REFERENCE_UNET_32, type ModelConfigInput } from '../src';

beforeAll(() => initBackend({ backend: 'wasm' }));

const TINY_UNET = { kind: 'unet', channels: 1, resolution: 16, stageResolutions: [4, 8, 16], numClasses: 3, baseChannels: 8, numResBlocks: 1, attentionResolutions: [4], groupNormGroups: 4 } satisfies ModelConfigInput;
const TINY_DIT = { kind: 'dit', channels: 3, resolution: 8, stageResolutions: [4, 8], numClasses: 3, patchSize: 2, hiddenSize: 32, depth: 2, heads: 2 } satisfies ModelConfigInput;

describe.each([
  ['unet', TINY_UNET],
  ['dit', TINY_DIT],
])('%s', (_kind, cfg) => {
  it('runs every configured resolution with the right output shape', () => {
    const model = new EdmDenoiser(cfg);
    for (const r of cfg.stageResolutions) {
      tf.tidy(() => {
        const x = tf.randomNormal([2, r, r, cfg.channels]) as tf.Tensor4D;
        const first = model.denoise(x, 2.5, { resolution: r, classLabels: tf.tensor1d([0, 3], 'int32') });
        const refine = model.denoise(x, new Float32Array([0.5, 9]), { resolution: r, condition: x, sigmaAug: 0.2 });
        expect(first.shape).toEqual([2, r, r, cfg.channels]);
        expect(refine.shape).toEqual([2, r, r, cfg.channels]);
        expect(first.isNaN().any().dataSync()[0]).toBe(0);
      });
    }
    model.dispose();
  });

  it('does not leak tensors over 100 calls', () => {
    const model = new EdmDenoiser(cfg);
    const r = cfg.stageResolutions[0];
    const x = tf.randomNormal([2, r, r, cfg.channels]) as tf.Tensor4D;
    const labels = tf.tensor1d([1, 2], 'int32');
    model.denoise(x, 1, { resolution: r, condition: x, classLabels: labels }).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) model.denoise(x, 1, { resolution: r, condition: x, classLabels: labels }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, labels]);
    model.dispose();
  });

  it('gives clear errors for wrong inputs', () => {
    const model = new EdmDenoiser(cfg);
    const r = cfg.stageResolutions[0];
    const x = tf.zeros([2, r, r, cfg.channels]) as tf.Tensor4D;
    expect(() => model.denoise(x, 1, { resolution: 5 })).toThrow(/resolution 5 is not a stage/);
    expect(() => model.denoise(x, 1, { resolution: cfg.stageResolutions[1] })).toThrow(ModelInputError);
    expect(() => model.denoise(x, new Float32Array(3), { resolution: r })).toThrow(/sigma has 3 values for a batch of 2/);
    expect(() => model.denoise(x, 1, { resolution: r, condition: tf.zeros([2, r, r, cfg.channels + 1]) as tf.Tensor4D })).toThrow(/condition has shape/);
    expect(() => model.denoise(x, 1, { resolution: r, classLabels: tf.tensor1d([1], 'int32') })).toThrow(/classLabels has 1 entries/);
    tf.dispose(x);
    model.dispose();
  });
});

describe('config validation', () => {
  it('names the bad field', () => {
    expect(() => new EdmDenoiser({ ...TINY_UNET, stageResolutions: [8, 4] })).toThrow(/stageResolutions.1: must be strictly increasing/);
    expect(() => new EdmDenoiser({ ...TINY_UNET, stageResolutions: [2, 16] })).toThrow(/stageResolutions.0/);
    expect(() => new EdmDenoiser({ ...TINY_UNET, resolution: 24 })).toThrow(/resolution: must be a power of two/);
    expect(() => new EdmDenoiser({ ...TINY_DIT, heads: 3 })).toThrow(ModelConfigError);
    expect(() => new EdmDenoiser({ ...TINY_UNET, dropout: 1 } as never)).toThrow(/dropout/);
    expect(() => new EdmDenoiser({ ...TINY_UNET, bogus: 1 } as never)).toThrow(/bogus/);
  });
});

describe('FLOPs', () => {
  it('a UNet call at r/2 costs under 35 % of a call at r (reference config)', () => {
    const model = new EdmDenoiser(REFERENCE_UNET_32);
    expect(model.flopsPerCall(16) / model.flopsPerCall(32)).toBeLessThan(0.35);
    expect(model.flopsPerCall(8) / model.flopsPerCall(16)).toBeLessThan(0.35);
    model.dispose();
  });

  it('counts a single conv layer exactly', () => {
    // One level, no attention: known layer list at 4x4, 4 channels, 1 image channel + 1 condition.
    const model = new EdmDenoiser({ kind: 'unet', channels: 1, resolution: 4, stageResolutions: [4], baseChannels: 4, channelMult: [1], numResBlocks: 1, attentionResolutions: [], groupNormGroups: 2, augmentationEmbedding: false });
    const px = 16;
    const conv = (cin: number, cout: number, k = 3) => 2 * px * k * k * cin * cout;
    const dense = (i: number, o: number) => 2 * i * o;
    const res = (cin: number) => conv(cin, 4) + dense(16, 4) + conv(4, 4) + (cin !== 4 ? conv(cin, 4, 1) : 0);
    const expected =
      dense(4, 16) + dense(16, 16) + // noise embedding MLP
      conv(2, 4) + // stem (image + condition)
      res(4) + // encoder block
      res(4) + 2 * 2 * 16 * 16 * 4 + 2 * 16 * 4 * 12 + 2 * 16 * 4 * 4 + res(4) + // middle: res, attention, res
      res(8) + res(8) + // decoder blocks take skip concatenations
      conv(4, 1); // head
    expect(model.flopsPerCall(4)).toBe(expected);
    model.dispose();
  });

  it('describe() lists blocks and FLOPs per resolution', () => {
    const model = new EdmDenoiser(REFERENCE_DIT_LATENT);
    const d = describeModel(model);
    expect(d.parameters).toBe(d.blocks.reduce((a, b) => a + b.parameters, 0));
    expect(d.blocks.map((b) => b.block)).toContain('blocks.0');
    expect(d.flops.map((f) => f.resolution)).toEqual([4, 8]);
    expect(d.flops[1].relative).toBe(1);
    expect(d.flops[0].relative).toBeLessThan(0.3);
    model.dispose();
  });
});

describe('weight sharing', () => {
  it('a low-resolution call does not touch the weights of the levels above it', () => {
    const model = new EdmDenoiser(TINY_UNET);
    const vars = model.trainableVariables();
    const x = new Rng(1).normalTensor([2, 4, 4, 1]) as tf.Tensor4D;
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(model.denoise(x, 1, { resolution: 4 }, { training: true }))) as tf.Scalar, vars);
    const names = [...model.store.vars].filter(([, v]) => grads[v.name]).map(([n]) => n);
    expect(names.some((n) => n.startsWith('enc.l0') || n.startsWith('enc.l1') || n.startsWith('stem.r16'))).toBe(false);
    expect(names.some((n) => n.startsWith('mid.'))).toBe(true);
    tf.dispose([x, ...Object.values(grads)]);
    model.dispose();
  });
});
