import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { EdmDenoiser, precondition, preconditioningVectors, tfjsOps } from '../src';

beforeAll(() => initBackend({ backend: 'wasm' }));

describe('EDM preconditioning', () => {
  it('matches the formulas of Karras et al. (2022), per sample', () => {
    const sd = 0.5;
    const sigma = new Float32Array([0.01, 0.5, 3, 80]);
    const xv = new Rng(2).normalArray(4 * 2 * 2 * 1);
    // A known "network": F(y, c) = 2 y + c, so D is computable by hand.
    const d = tf.tidy(() =>
      {
        const v = preconditioningVectors(sigma, sd);
        const c = { cIn: tf.tensor1d(v.cIn), cSkip: tf.tensor1d(v.cSkip), cOut: tf.tensor1d(v.cOut), cNoise: tf.tensor1d(v.cNoise) };
        const network = (y: tf.Tensor, cn: tf.Tensor) => tf.add(tf.mul(y, 2), tf.reshape(cn, [4, 1, 1, 1]));
        return (precondition(tfjsOps, tf.tensor4d(xv, [4, 2, 2, 1]), c, network as never) as tf.Tensor).dataSync();
      },
    );
    sigma.forEach((s, i) => {
      const cSkip = sd ** 2 / (s ** 2 + sd ** 2);
      const cOut = (s * sd) / Math.sqrt(s ** 2 + sd ** 2);
      const cIn = 1 / Math.sqrt(s ** 2 + sd ** 2);
      const cNoise = Math.log(s) / 4;
      for (let j = 0; j < 4; j++) {
        const x = xv[i * 4 + j];
        expect(d[i * 4 + j]).toBeCloseTo(cSkip * x + cOut * (2 * cIn * x + cNoise), 4);
      }
    });
  });

  it('D(x; sigma) -> x as sigma -> 0, for a network with random (non-zero) weights', () => {
    const model = new EdmDenoiser({ kind: 'unet', channels: 1, resolution: 8, stageResolutions: [8], baseChannels: 8, groupNormGroups: 4, attentionResolutions: [], channelMult: [1, 1] });
    // Zero-initialised output layers would make this trivially true; randomise every weight.
    const rng = new Rng(3);
    for (const v of model.store.vars.values()) v.assign(rng.normalTensor(v.shape, 0, 0.3));
    const x = rng.normalTensor([2, 8, 8, 1]) as tf.Tensor4D;
    const err = (s: number) => tf.tidy(() => tf.max(tf.abs(tf.sub(model.denoise(x, s, { resolution: 8 }), x))).dataSync()[0]);
    expect(err(1)).toBeGreaterThan(0.05);
    expect(err(1e-3)).toBeLessThan(err(1) * 0.01);
    expect(err(1e-5)).toBeLessThan(1e-4);
    x.dispose();
    model.dispose();
  });
});
