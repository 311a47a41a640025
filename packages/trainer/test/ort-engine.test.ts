import { initBackend, Rng } from '@lowdiff/backend';
import type { ImageDataset } from '@lowdiff/data';
import { EdmDenoiser, type TrainingSlice } from '@lowdiff/model';
import { OrtGradients } from '@lowdiff/ort';
import { beforeAll, describe, expect, it } from 'vitest';
import { Trainer } from '../src';
import { sliceGradients } from '../src/slice-gradients';
import { smallFashion, TINY_MODEL, TINY_TRAINING } from './helpers';

let data: ImageDataset;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  data = await smallFashion();
});

const weightsOf = (t: Trainer) => new Map(t.model.store.entries().map(([k, v]) => [k, v.dataSync() as Float32Array]));

/** A random slice: every input drawn, so each gradient path carries signal. */
function randomSlice(rng: Rng, r: number, c: number, n: number, conditioned: boolean): TrainingSlice {
  const size = n * r * r * c;
  const draw = (k: number, scale = 1) => Float32Array.from({ length: k }, () => rng.normal() * scale);
  return {
    resolution: r,
    channels: c,
    start: 1,
    count: n,
    total: n + 2,
    y: draw(size, 0.5),
    noise: draw(size),
    sigma: Float32Array.from({ length: n }, () => Math.exp(rng.normal() * 1.2 - 1.2)),
    condition: conditioned ? draw(size, 0.5) : null,
    sigmaAug: conditioned ? Float32Array.from({ length: n }, () => rng.uniform()) : null,
    labels: Int32Array.from({ length: n }, (_, i) => i % 11),
    lossWeight: 0.7,
    maskSeed: 1234,
  };
}

/** Loss and gradients of both engines for the same slice; relative max differences. */
async function compare(model: EdmDenoiser, slice: TrainingSlice) {
  const ort = await OrtGradients.create(model);
  const ours = await ort.gradients(slice);
  await ort.dispose();
  const ref = sliceGradients(model, slice);
  const nameOf = new Map(model.store.entries().map(([k, v]) => [v.name, k]));
  let worst = 0;
  const reached = new Set<string>();
  for (const [variable, g] of Object.entries(ref.grads)) {
    const name = nameOf.get(variable)!;
    reached.add(name);
    const want = g.dataSync() as Float32Array;
    const got = ours.grads.get(name);
    expect(got, `gradient of ${name}`).toBeDefined();
    let scale = 1e-12;
    let diff = 0;
    for (let i = 0; i < want.length; i++) {
      scale = Math.max(scale, Math.abs(want[i]));
      diff = Math.max(diff, Math.abs(want[i] - got![i]));
    }
    worst = Math.max(worst, diff / scale);
  }
  expect([...ours.grads.keys()].sort()).toEqual([...reached].sort());
  return { loss: ours.loss, refLoss: ref.value.dataSync()[0], worst };
}

describe('the ONNX Runtime training engine', () => {
  it('gives tfjs variableGrads gradients for every stage of a UNet, with dropout and attention', async () => {
    // Zero-initialised layers (output convs, attention projections) would hide their inputs'
    // gradients, so every weight is perturbed.
    const model = new EdmDenoiser(TINY_MODEL, 5);
    const rng = new Rng(9);
    for (const v of model.trainableVariables()) v.assign(v.add(rng.normalTensor(v.shape).mul(0.05)));
    for (const [r, conditioned] of [[4, false], [8, true], [16, true], [16, false]] as const) {
      const { loss, refLoss, worst } = await compare(model, randomSlice(rng, r, 1, 3, conditioned));
      expect(Math.abs(loss - refLoss) / refLoss, `loss at ${r}${conditioned ? 'c' : ''}`).toBeLessThan(1e-5);
      expect(worst, `gradients at ${r}${conditioned ? 'c' : ''}`).toBeLessThan(1e-4);
    }
    model.dispose();
  });

  it('gives tfjs gradients for a DiT (LayerNorm, GELU, adaLN modulation, patches)', async () => {
    const model = new EdmDenoiser({ kind: 'dit', channels: 4, resolution: 8, stageResolutions: [4, 8], numClasses: 10, patchSize: 2, hiddenSize: 32, depth: 2, heads: 4 }, 3);
    const rng = new Rng(4);
    for (const v of model.trainableVariables()) v.assign(v.add(rng.normalTensor(v.shape).mul(0.05)));
    for (const [r, conditioned] of [[4, false], [8, true]] as const) {
      const { loss, refLoss, worst } = await compare(model, randomSlice(rng, r, 4, 2, conditioned));
      expect(Math.abs(loss - refLoss) / refLoss).toBeLessThan(1e-5);
      expect(worst, `gradients at ${r}`).toBeLessThan(1e-4);
    }
    model.dispose();
  });

  it("follows tfjs's loss curve and weights, on 1 and 2 workers", async () => {
    const config = { ...TINY_TRAINING, steps: 5, batchSize: 6 };
    const runs: { losses: number[]; weights: Map<string, Float32Array> }[] = [];
    for (const [engine, workers] of [['tfjs', 1], ['ort', 1], ['ort', 2]] as const) {
      const t = Trainer.create(TINY_MODEL, data, config);
      const losses: number[] = [];
      await t.run({ engine, workers, onProgress: (r) => losses.push(r.loss) });
      runs.push({ losses, weights: weightsOf(t) });
      t.dispose();
    }
    for (const k of [1, 2]) {
      runs[k].losses.forEach((l, i) => expect(Math.abs(l - runs[0].losses[i]) / runs[0].losses[i], `run ${k}, step ${i + 1}`).toBeLessThan(1e-4));
      let maxDiff = 0;
      for (const [name, v] of runs[0].weights) {
        const other = runs[k].weights.get(name)!;
        for (let i = 0; i < v.length; i++) maxDiff = Math.max(maxDiff, Math.abs(v[i] - other[i]));
      }
      expect(maxDiff, `weights after 5 steps, run ${k}`).toBeLessThan(1e-4);
    }
  });

  it('refuses an unknown engine by name', async () => {
    const t = Trainer.create(TINY_MODEL, data, { ...TINY_TRAINING, steps: 1 });
    await expect(t.run({ engine: 'gpu' as never })).rejects.toThrow(/engine must be 'tfjs' or 'ort', got 'gpu'/);
    t.dispose();
  });
});
