import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { initBackend, Rng } from '@lowdiff/backend';
import { loadShippedClassifier } from '@lowdiff/metrics';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(() => initBackend({ backend: 'wasm' }));

const maxRelative = (got: Float32Array, want: Float32Array) => {
  const scale = Math.max(...Array.from(want, Math.abs));
  return Math.max(...Array.from(got, (g, i) => Math.abs(g - want[i]))) / scale;
};

describe('the shipped classifier exports the same way', () => {
  it('its ONNX graph gives the features and logits of the tfjs extractor', async () => {
    const { extractor } = await loadShippedClassifier('classifier-fmnist');
    const s = extractor.config.inputSize;
    const images = tf.clipByValue(new Rng(1).normalTensor([5, s, s, 1], 0, 0.6), -1, 1) as tf.Tensor4D;
    const want = extractor.features(images);
    const session = await ort.InferenceSession.create(extractor.exportOnnx(), { intraOpNumThreads: 1, logSeverityLevel: 3 });
    const got = await session.run({ images: new ort.Tensor('float32', images.dataSync() as Float32Array, images.shape) });
    expect(maxRelative(got.features.data as Float32Array, want.features.dataSync() as Float32Array)).toBeLessThan(1e-4);
    expect(maxRelative(got.logits.data as Float32Array, want.logits!.dataSync() as Float32Array)).toBeLessThan(1e-4);
    await session.release();
    tf.dispose([images, want.features, want.logits!]);
    extractor.dispose();
  });
});
