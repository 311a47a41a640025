import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { downsampleArea, upsample } from '@lowdiff/data';
import { identityAdapter } from '@lowdiff/vae';
import { beforeAll, expect, it } from 'vitest';
import { pixelSpaceResampler } from '../src';

beforeAll(() => initBackend({ backend: 'wasm' }));

it('with the identity adapter, pixel-space resampling is plain area-down / bilinear-up resizing', () => {
  const x = new Rng(2).normalTensor([2, 8, 8, 1]) as tf.Tensor4D;
  const r = pixelSpaceResampler(identityAdapter(1));
  const down = r.downsample(x, 4);
  const up = r.upsample(down, 8, 'bilinear');
  expect(Array.from(down.dataSync())).toEqual(Array.from(downsampleArea(x, { size: 4 }).dataSync()));
  expect(Array.from(up.dataSync())).toEqual(Array.from(upsample(downsampleArea(x, { size: 4 }), 8, 'bilinear').dataSync()));
});
