import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import type { EdmDenoiser } from '@lowdiff/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, loadModelForSampling, openRuntime, resolvePlan, withGuidanceScale } from '../src';

// The shipped, trained checkpoint: a random network would make near-constant images.
const SHIPPED = fileURLToPath(new URL('../../../apps/pixel/checkpoints/fmnist-lowdiff.safetensors', import.meta.url));

let model: EdmDenoiser;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  ({ model } = await loadModelForSampling(SHIPPED));
});
afterAll(() => model.dispose());

describe('sampling runtimes', () => {
  it.each(['lowdiff-3', 'baseline-heun-10'])('%s: ONNX Runtime and tfjs make the same samples from the same seed (to 1e-3)', async (name) => {
    const plan = withGuidanceScale(resolvePlan(name, 32), 2);
    const request = { count: 6, seed: 3, labels: [0, 1, 2, 3, 4, 9], batchSize: 6, stripCount: 2 };
    const ort = await openRuntime(model, 'ort', 1);
    expect(ort.runtime).toBe('ort');
    // The checkpoint's training facts go with the model onto ONNX Runtime: plans are checked the same.
    expect(ort.denoiser.trainedFor).toBe(model.trainedFor);
    expect(model.trainedFor?.stages).toHaveLength(4);
    const [viaOrt, viaTfjs] = [await generate(ort.denoiser, plan, request), await generate(model, plan, request)];
    await ort.close();
    let maxDiff = 0;
    for (let i = 0; i < viaTfjs.images.length; i++) maxDiff = Math.max(maxDiff, Math.abs(viaOrt.images[i] - viaTfjs.images[i]));
    expect(maxDiff).toBeLessThan(1e-3);
    expect(viaOrt.nfe).toBe(viaTfjs.nfe);
    // Not trivially equal: the samples differ from image to image.
    expect(Math.abs(viaTfjs.images[0] - viaTfjs.images[viaTfjs.images.length / 2])).toBeGreaterThan(0);
  });

  it('tfjs is the model itself; worker threads are refused for ONNX Runtime', async () => {
    const numTensors = tf.memory().numTensors;
    const rt = await openRuntime(model, 'tfjs');
    expect(rt.denoiser).toBe(model);
    await rt.close();
    expect(tf.memory().numTensors).toBe(numTensors);
    await expect(openRuntime(model, 'ort', 1, 2)).rejects.toThrow(/--workers: worker threads are for --runtime tfjs/);
    expect((await openRuntime(model, 'auto', 1, 2)).runtime).toBe('tfjs');
  });
});
