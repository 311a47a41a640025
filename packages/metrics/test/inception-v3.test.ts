import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import { encodeSafetensors, type SafeTensor, type WritableTensor } from '@lowdiff/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  finalSpatialSize,
  INCEPTION_CONVS,
  INCEPTION_V3_PARAMETERS,
  inceptionV3FromTensors,
  InceptionWeightsError,
  loadInceptionV3,
  MetricsError,
  MetricsParamError,
  type InceptionV3Extractor,
} from '../src/index';
import { INCEPTION_FIXTURE_SEED, INCEPTION_FIXTURE_SHAPE, inceptionFixtureImages, inceptionFixtureWeights } from './fixtures/write-inception-fixture';
import { FIXTURES } from './helpers';
import { encodeSafetensorsF16, floatToHalf, randomInceptionStateDict } from './inception-helpers';

/** Written by fixtures/make_inception_fixture.py: an independent numpy float64 forward pass. */
interface InceptionReference {
  weights_sha256: string;
  tensor_count: number;
  [size: string]: unknown;
}
type Outputs = { features: number[][]; logits_reference_1008: number[][]; logits_imagenet_1000: number[][] };
const reference = JSON.parse(readFileSync(join(FIXTURES, 'inception_reference.json'), 'utf8')) as InceptionReference;
const refAt = (size: number) => reference[String(size)] as Outputs;

let dir: string;
let weightsPath: string;
let stateDict: Map<string, WritableTensor>;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'lowdiff-inception-'));
  weightsPath = join(dir, 'random-f32.safetensors');
  const bytes = inceptionFixtureWeights();
  expect(createHash('sha256').update(bytes).digest('hex'), 'random weights changed: rerun the fixture scripts').toBe(reference.weights_sha256);
  await writeFile(weightsPath, bytes);
  stateDict = randomInceptionStateDict(INCEPTION_FIXTURE_SEED);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function images(): tf.Tensor4D {
  return tf.tensor4d(inceptionFixtureImages(), INCEPTION_FIXTURE_SHAPE as [number, number, number, number]);
}

/** Largest |a - b| relative to the largest |b|. */
function relErr(actual: tf.Tensor, expected: number[][]): number {
  const a = actual.arraySync() as number[][];
  expect(a.length).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  a.forEach((row, i) => {
    expect(row.length).toBe(expected[i].length);
    row.forEach((v, j) => {
      diff = Math.max(diff, Math.abs(v - expected[i][j]));
      scale = Math.max(scale, Math.abs(expected[i][j]));
    });
  });
  return diff / scale;
}

function allFinite(t: tf.Tensor): boolean {
  return (t.dataSync() as Float32Array).every(Number.isFinite);
}

async function writeStateDict(name: string, tensors: Map<string, WritableTensor>): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, encodeSafetensors(tensors));
  return path;
}

function asSafeTensors(tensors: Map<string, WritableTensor>): Map<string, SafeTensor> {
  return new Map([...tensors].map(([n, t]) => [n, { dtype: t.data instanceof Float32Array ? 'F32' : 'I32', shape: t.shape, data: t.data }] as const));
}

describe('the layer table', () => {
  it('has the 94 BasicConv2d blocks of torchvision Inception3 (no AuxLogits) plus fc: 472 tensors', () => {
    // Per block kind, as torchvision builds them: stem 5, InceptionA 7, B 4, C 10, D 6, E 9.
    expect(5 + 3 * 7 + 4 + 4 * 10 + 6 + 2 * 9).toBe(94);
    expect(INCEPTION_CONVS).toHaveLength(94);
    expect(new Set(INCEPTION_CONVS.map((c) => c.name)).size).toBe(94);
    expect(INCEPTION_V3_PARAMETERS.size).toBe(94 * 5 + 2);
    expect(reference.tensor_count).toBe(472);
    expect(INCEPTION_V3_PARAMETERS.get('Conv2d_1a_3x3.conv.weight')).toEqual([32, 3, 3, 3]);
    expect(INCEPTION_V3_PARAMETERS.get('Conv2d_1a_3x3.bn.running_var')).toEqual([32]);
    expect(INCEPTION_V3_PARAMETERS.get('Mixed_5b.branch_pool.conv.weight')).toEqual([32, 192, 1, 1]);
    expect(INCEPTION_V3_PARAMETERS.get('Mixed_6b.branch7x7_2.conv.weight')).toEqual([128, 128, 1, 7]);
    expect(INCEPTION_V3_PARAMETERS.get('Mixed_6e.branch7x7dbl_4.conv.weight')).toEqual([192, 192, 7, 1]);
    expect(INCEPTION_V3_PARAMETERS.get('Mixed_7c.branch3x3dbl_3b.conv.weight')).toEqual([384, 384, 3, 1]);
    expect(INCEPTION_V3_PARAMETERS.get('Mixed_7c.branch_pool.conv.weight')).toEqual([192, 2048, 1, 1]);
    expect(INCEPTION_V3_PARAMETERS.get('fc.weight')).toEqual([1008, 2048]);
    expect(INCEPTION_V3_PARAMETERS.get('fc.bias')).toEqual([1008]);
    expect([...INCEPTION_V3_PARAMETERS.keys()].some((n) => n.startsWith('AuxLogits'))).toBe(false);
  });

  it('names every branch as torchvision does', () => {
    const branches = (block: string) =>
      INCEPTION_CONVS.filter((c) => c.name.startsWith(`${block}.`))
        .map((c) => c.name.slice(block.length + 1))
        .join(' ');
    const a = 'branch1x1 branch5x5_1 branch5x5_2 branch3x3dbl_1 branch3x3dbl_2 branch3x3dbl_3 branch_pool';
    const c = 'branch1x1 branch7x7_1 branch7x7_2 branch7x7_3 branch7x7dbl_1 branch7x7dbl_2 branch7x7dbl_3 branch7x7dbl_4 branch7x7dbl_5 branch_pool';
    const e = 'branch1x1 branch3x3_1 branch3x3_2a branch3x3_2b branch3x3dbl_1 branch3x3dbl_2 branch3x3dbl_3a branch3x3dbl_3b branch_pool';
    for (const m of ['Mixed_5b', 'Mixed_5c', 'Mixed_5d']) expect(branches(m)).toBe(a);
    expect(branches('Mixed_6a')).toBe('branch3x3 branch3x3dbl_1 branch3x3dbl_2 branch3x3dbl_3');
    for (const m of ['Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e']) expect(branches(m)).toBe(c);
    expect(branches('Mixed_7a')).toBe('branch3x3_1 branch3x3_2 branch7x7x3_1 branch7x7x3_2 branch7x7x3_3 branch7x7x3_4');
    for (const m of ['Mixed_7b', 'Mixed_7c']) expect(branches(m)).toBe(e);
    expect(INCEPTION_CONVS.slice(0, 5).map((c) => c.name)).toEqual(['Conv2d_1a_3x3', 'Conv2d_2a_3x3', 'Conv2d_2b_3x3', 'Conv2d_3b_1x1', 'Conv2d_4a_3x3']);
  });

  it('gives the 8x8 final map at 299 and needs at least 75 pixels', () => {
    expect(finalSpatialSize(299)).toBe(8);
    expect(finalSpatialSize(107)).toBe(2);
    expect(finalSpatialSize(75)).toBe(1);
    expect(finalSpatialSize(74)).toBe(0);
  });
});

describe('loadInceptionV3 with random weights', () => {
  it('matches an independent numpy forward pass at 107 px (batch 2, resized from 37x41), without leaking tensors', async () => {
    for (const mode of ['reference-1008', 'imagenet-1000'] as const) {
      const before = tf.memory().numTensors;
      const extractor = await loadInceptionV3(weightsPath, { inputSize: 107, logits: mode });
      expect(extractor).toMatchObject({ name: 'inception-v3-pool3-107px', featureDim: 2048, numClasses: mode === 'reference-1008' ? 1008 : 1000 });
      const x = images();
      const withWeights = tf.memory().numTensors;
      const { features, logits } = extractor.features(x);
      expect(features.shape).toEqual([2, 2048]);
      expect(logits!.shape).toEqual([2, mode === 'reference-1008' ? 1008 : 1000]);
      expect(allFinite(features) && allFinite(logits!)).toBe(true);
      expect(relErr(features, refAt(107).features)).toBeLessThan(1e-4);
      expect(relErr(logits!, mode === 'reference-1008' ? refAt(107).logits_reference_1008 : refAt(107).logits_imagenet_1000)).toBeLessThan(1e-4);
      tf.dispose([features, logits!]);
      expect(tf.memory().numTensors).toBe(withWeights);
      x.dispose();
      extractor.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('runs the full 299x299 network (batch 1) as `inception-v3-pool3`, matching numpy', async () => {
    const extractor = await loadInceptionV3(weightsPath);
    expect(extractor).toMatchObject({ name: 'inception-v3-pool3', featureDim: 2048, numClasses: 1008 });
    const x = tf.tidy(() => tf.slice(images(), 0, 1)) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const { features, logits } = extractor.features(x);
    expect(features.shape).toEqual([1, 2048]);
    expect(logits!.shape).toEqual([1, 1008]);
    expect(relErr(features, refAt(299).features)).toBeLessThan(1e-4);
    expect(relErr(logits!, refAt(299).logits_reference_1008)).toBeLessThan(1e-4);
    tf.dispose([features, logits!, x]);
    expect(tf.memory().numTensors).toBe(before - 1);
    extractor.dispose();
  });

  it('splits big batches into maxBatch chunks and takes grey images', async () => {
    const extractor = await loadInceptionV3(weightsPath, { inputSize: 75, maxBatch: 2 });
    const whole = inceptionV3FromTensors(asSafeTensors(stateDict), { inputSize: 75 });
    const x = tf.tidy(() => tf.concat([images(), images().reverse(0).mul(-1)]).slice(0, 3)) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const split = extractor.features(x);
    expect(tf.memory().numTensors).toBe(before + 2); // features and logits, nothing else
    const once = whole.features(x);
    expect(split.features.shape).toEqual([3, 2048]);
    expect(tf.max(tf.abs(tf.sub(split.features, once.features))).dataSync()[0]).toBeLessThan(1e-4);
    expect(tf.max(tf.abs(tf.sub(split.logits!, once.logits!))).dataSync()[0]).toBeLessThan(1e-4);
    // 1 channel = the same image in all three.
    const grey = tf.tidy(() => tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, 1])) as tf.Tensor4D;
    const rgb = tf.tidy(() => tf.tile(grey, [1, 1, 1, 3])) as tf.Tensor4D;
    const [g, c] = [extractor.features(grey), extractor.features(rgb)];
    expect(tf.max(tf.abs(tf.sub(g.features, c.features))).dataSync()[0]).toBe(0);
    expect(() => extractor.features(tf.zeros([1, 8, 8, 4]) as tf.Tensor4D)).toThrow(/3-channel \(or 1-channel\) images, got 4 channels/);
    tf.dispose([x, grey, rgb, split.features, split.logits!, once.features, once.logits!, g.features, g.logits!, c.features, c.logits!]);
    extractor.dispose();
    whole.dispose();
    const after = tf.zeros([1, 75, 75, 3]) as tf.Tensor4D;
    expect(() => extractor.features(after)).toThrow(/disposed/);
    after.dispose();
  });

  it('loads F16 weights, close to the F32 ones, and keeps the file metadata', async () => {
    const path = join(dir, 'random-f16.safetensors');
    await writeFile(path, encodeSafetensorsF16(stateDict, { format: 'lowdiff-inception-v3/1', source: 'random' }));
    const f16 = await loadInceptionV3(path, { inputSize: 107 });
    expect(f16.metadata).toEqual({ format: 'lowdiff-inception-v3/1', source: 'random' });
    const x = images();
    const { features, logits } = f16.features(x);
    // Half-precision weights (11-bit mantissa) move the features by ~1e-3 relative, no more.
    const err = relErr(features, refAt(107).features);
    expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThan(1e-2);
    expect(relErr(logits!, refAt(107).logits_reference_1008)).toBeLessThan(1e-2);
    tf.dispose([x, features, logits!]);
    f16.dispose();
  });

  it('converts floats to half precision with round-to-nearest-even (the F16 test writer)', () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(-2)).toBe(0xc000);
    expect(floatToHalf(65504)).toBe(0x7bff);
    expect(floatToHalf(1e6)).toBe(0x7c00);
    expect(floatToHalf(2 ** -24)).toBe(0x0001);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (up)
  });
});

describe('bad weights files', () => {
  async function loadError(tensors: Map<string, WritableTensor>, name: string): Promise<InceptionWeightsError> {
    const path = await writeStateDict(name, tensors);
    const err = await loadInceptionV3(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InceptionWeightsError);
    expect(err).toBeInstanceOf(MetricsError);
    expect((err as Error).message).toContain(path);
    return err as InceptionWeightsError;
  }

  it('names a missing tensor', async () => {
    const t = new Map(stateDict);
    t.delete('Mixed_6b.branch7x7_2.bn.running_var');
    const err = await loadError(t, 'missing.safetensors');
    expect(err.message).toMatch(/not the FID Inception-v3 weights: 1 missing tensor \(Mixed_6b\.branch7x7_2\.bn\.running_var\)$/);
    expect(err.missing).toEqual(['Mixed_6b.branch7x7_2.bn.running_var']);
    expect([err.unexpected, err.misshapen]).toEqual([[], []]);
  });

  it('names an unexpected tensor', async () => {
    const t = new Map(stateDict);
    t.set('AuxLogits.fc.weight', { shape: [1008, 768], data: new Float32Array(1008 * 768) });
    const err = await loadError(t, 'extra.safetensors');
    expect(err.message).toMatch(/1 unexpected tensor \(AuxLogits\.fc\.weight\)$/);
    expect(err.unexpected).toEqual(['AuxLogits.fc.weight']);
  });

  it('names a tensor of the wrong shape, with both shapes', async () => {
    const t = new Map(stateDict);
    t.set('fc.weight', { shape: [1000, 2048], data: new Float32Array(1000 * 2048) });
    const err = await loadError(t, 'shape.safetensors');
    expect(err.message).toMatch(/1 tensor of the wrong shape or dtype \(fc\.weight: \[1000,2048\] \(expected \[1008,2048\]\)\)$/);
    // A conv weight in tfjs layout [kh, kw, in, out] instead of PyTorch's is a shape error too.
    t.set('fc.weight', stateDict.get('fc.weight')!);
    t.set('Conv2d_1a_3x3.conv.weight', { shape: [3, 3, 3, 32], data: new Float32Array(864) });
    const err2 = await loadError(t, 'layout.safetensors');
    expect(err2.misshapen).toEqual(['Conv2d_1a_3x3.conv.weight: [3,3,3,32] (expected [32,3,3,3])']);
  });

  it('lists every problem at once, abbreviating long lists', () => {
    const t = new Map([...stateDict].filter(([n]) => !n.startsWith('Mixed_7c.')));
    t.set('module.fc.weight', stateDict.get('fc.weight')!);
    t.set('fc.bias', { shape: [1000], data: new Float32Array(1000) });
    const err = (() => {
      try {
        inceptionV3FromTensors(asSafeTensors(t), {}, {}, 'mixed.safetensors');
      } catch (e) {
        return e as InceptionWeightsError;
      }
      throw new Error('no error');
    })();
    expect(err.missing).toHaveLength(45);
    expect(err.message).toMatch(/^mixed\.safetensors: not the FID Inception-v3 weights: 45 missing tensors \(Mixed_7c\.branch1x1\.conv\.weight, .*, \.\.\. and 37 more\); 1 unexpected tensor \(module\.fc\.weight\); 1 tensor of the wrong shape or dtype \(fc\.bias: \[1000\] \(expected \[1008\]\)\)$/);
  });

  it('tolerates BatchNorm num_batches_tracked counters, rejects integer weights and NaN', () => {
    const t = asSafeTensors(stateDict);
    t.set('Mixed_5b.branch1x1.bn.num_batches_tracked', { dtype: 'I64', shape: [], data: new Int32Array([0]) });
    const ok = inceptionV3FromTensors(t, { inputSize: 75 });
    ok.dispose();
    const ints = new Map(t);
    ints.set('fc.bias', { dtype: 'I32', shape: [1008], data: new Int32Array(1008) });
    expect(() => inceptionV3FromTensors(ints)).toThrow(/fc\.bias: dtype I32 \(expected F32 or F16\)/);
    const nan = new Map(t);
    const w = Float32Array.from(stateDict.get('Mixed_6a.branch3x3.conv.weight')!.data);
    w[5] = Number.NaN;
    nan.set('Mixed_6a.branch3x3.conv.weight', { dtype: 'F32', shape: [384, 288, 3, 3], data: w });
    expect(() => inceptionV3FromTensors(nan)).toThrow(/Mixed_6a\.branch3x3\.conv\.weight contains NaN/);
    const negVar = new Map(t);
    negVar.set('Conv2d_2a_3x3.bn.running_var', { dtype: 'F32', shape: [32], data: new Float32Array(32).fill(-1) });
    expect(() => inceptionV3FromTensors(negVar)).toThrow(/Conv2d_2a_3x3\.bn gives a non-finite scale/);
  });

  it('reports unreadable files and bad options clearly', async () => {
    await expect(loadInceptionV3(join(dir, 'nope.safetensors'))).rejects.toThrow(InceptionWeightsError);
    await expect(loadInceptionV3(join(dir, 'nope.safetensors'))).rejects.toThrow(/no such file/);
    const empty = join(dir, 'empty.safetensors');
    await writeFile(empty, encodeSafetensors({}));
    await expect(loadInceptionV3(empty)).rejects.toThrow(/472 missing tensors .*convert pt_inception-2015-12-05-6726825d\.pth with tools\/convert_pt_inception\.py/);
    await expect(loadInceptionV3(weightsPath, { inputSize: 64 })).rejects.toThrow(MetricsParamError);
    await expect(loadInceptionV3(weightsPath, { inputSize: 64 })).rejects.toThrow(/Invalid InceptionV3Options: inputSize:/);
    await expect(loadInceptionV3(weightsPath, { logits: 'softmax' as 'reference-1008' })).rejects.toThrow(/logits:/);
  });
});

/** Type-level check that the extractor satisfies the package interface. */
export type _Check = InceptionV3Extractor extends import('../src/index').FeatureExtractor ? true : never;
