import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { edmLossWeight } from '@lowdiff/schedule';
import { beforeAll, expect, it } from 'vitest';
import { EdmDenoiser } from '../src';

beforeAll(() => initBackend({ backend: 'wasm' }));

/** Eight 8x8 images: discs, squares and stripes at different places, in [-1, 1]. */
function eightImages(): tf.Tensor4D {
  const px = new Float32Array(8 * 64);
  for (let b = 0; b < 8; b++)
    for (let i = 0; i < 8; i++)
      for (let j = 0; j < 8; j++) {
        const on = b < 3 ? (i - 2 - b) ** 2 + (j - 4) ** 2 < 5 : b < 6 ? Math.abs(i - b + 2) < 2 && Math.abs(j - 3) < 3 : (i + j * (b - 5)) % 3 === 0;
        px[b * 64 + i * 8 + j] = on ? 1 : -1;
      }
  return tf.tensor4d(px, [8, 8, 8, 1]);
}

it('a tiny UNet overfits 8 images on wasm: the EDM loss falls 10x within 50 Adam steps', () => {
  const model = new EdmDenoiser({ kind: 'unet', channels: 1, resolution: 8, stageResolutions: [4, 8], numClasses: 0, baseChannels: 16, channelMult: [1, 1], attentionResolutions: [4], groupNormGroups: 4 });
  const y = eightImages();
  // Fixed noise and noise levels: the net can memorise the mapping, which is what "overfit" tests.
  const rng = new Rng(0);
  const sigma = Float32Array.from({ length: 8 }, () => Math.exp(-1.2 + 1.2 * rng.normal()));
  const noise = rng.normalTensor([8, 8, 8, 1]);
  const weight = tf.tensor4d(Array.from(sigma, (s) => edmLossWeight(s)), [8, 1, 1, 1]);
  const noisy = tf.add(y, tf.mul(noise, tf.tensor4d(sigma, [8, 1, 1, 1]))) as tf.Tensor4D;
  const opt = tf.train.adam(3e-3);
  const losses: number[] = [];
  // Step-counted, not timed: measured falls of 19x by step 40 and 250x by step 60 (seed 0).
  for (let step = 0; step < 50; step++) {
    const loss = opt.minimize(
      () => tf.mean(tf.mul(weight, tf.square(tf.sub(model.denoise(noisy, sigma, { resolution: 8 }, { training: true }), y)))) as tf.Scalar,
      true,
      model.trainableVariables(),
    )!;
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses.at(-1)!).toBeLessThan(losses[0] / 10);
  tf.dispose([y, noise, weight, noisy]);
  opt.dispose();
  model.dispose();
});
