import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClassifierExtractor, loadShippedClassifier } from '../src';

beforeAll(() => initBackend({ backend: 'wasm' }));

describe('ClassifierExtractor', () => {
  it('gives features and logits for any input size, and round-trips through a file', async () => {
    const net = new ClassifierExtractor({ name: 'classifier-test' }, 3);
    const x = new Rng(1).uniformTensor([3, 32, 32, 1], -1, 1) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const { features, logits } = net.features(x);
    expect(features.shape).toEqual([3, 128]);
    expect(logits!.shape).toEqual([3, 10]);
    const small = net.features(tf.image.resizeBilinear(x, [16, 16]) as tf.Tensor4D);
    expect(small.features.shape).toEqual([3, 128]);
    const dir = await mkdtemp(join(tmpdir(), 'clf-'));
    await net.save(join(dir, 'c.safetensors'), { testAccuracy: 0.5 });
    const { extractor, info } = await ClassifierExtractor.load(join(dir, 'c.safetensors'));
    expect(info).toEqual({ testAccuracy: 0.5 });
    expect(Array.from(extractor.features(x).features.dataSync())).toEqual(Array.from(features.dataSync()));
    tf.dispose([features, logits!, small.features, small.logits!]);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 40);
    await writeFile(join(dir, 'bad.safetensors'), 'nonsense');
    await expect(ClassifierExtractor.load(join(dir, 'bad.safetensors'))).rejects.toThrow(/safetensors/);
    await expect(loadShippedClassifier('classifier-cifar')).rejects.toThrow(/unknown extractor 'classifier-cifar'/);
    net.dispose();
    extractor.dispose();
  });
});
