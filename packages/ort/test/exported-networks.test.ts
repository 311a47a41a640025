import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { initBackend, Rng } from '@lowdiff/backend';
import { KlAutoencoder } from '@lowdiff/vae';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(() => initBackend({ backend: 'wasm' }));

describe('the VAE decoder exports the same way', () => {
  it('its ONNX graph equals decodeRaw on tfjs (mid-block attention, two upsamplings, random weights)', async () => {
    const vae = new KlAutoencoder({ imageChannels: 3, latentChannels: 4, channels: [8, 16, 16], normGroups: 4, midAttention: true }, 3);
    const rng = new Rng(4);
    for (const [, v] of vae.store.entries()) v.assign(tf.tensor(rng.normalArray(v.size, 0, 0.2), v.shape));
    const z = rng.normalTensor([3, 4, 4, 4], 0, 1) as tf.Tensor4D;
    const want = vae.decodeRaw(z);
    const session = await ort.InferenceSession.create(vae.exportDecoderOnnx(4), { intraOpNumThreads: 1, logSeverityLevel: 3 });
    const { images } = await session.run({ latents: new ort.Tensor('float32', z.dataSync() as Float32Array, z.shape) });
    expect(images.dims).toEqual(want.shape);
    const got = images.data as Float32Array;
    const ref = want.dataSync();
    const scale = Math.max(...Array.from(ref, Math.abs));
    expect(Math.max(...Array.from(got, (g, i) => Math.abs(g - ref[i]))) / scale).toBeLessThan(1e-4);
    await session.release();
    tf.dispose([z, want]);
    vae.dispose();
  });
});
