/**
 * A worker thread of the training pool: holds a replica of the model, takes the step's weights,
 * and returns its slice's share of the loss and gradients (see sliceGradients).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '@lowdiff/backend';
import { EdmDenoiser, type ModelConfig } from '@lowdiff/model';
import { OrtGradients } from '@lowdiff/ort';
import type { TrainingEngine } from './trainer';
import { sliceGradients, type StepSlice } from './slice-gradients';

export interface TrainingTask {
  backend: BackendName;
  engine: TrainingEngine;
  config: ModelConfig;
  /** Every trainable weight, concatenated in the store's (sorted) order. */
  weights: Float32Array;
  slice: StepSlice;
}

let replica: { key: string; model: Promise<EdmDenoiser>; ort?: Promise<OrtGradients> } | null = null;

function modelFor(task: TrainingTask): Promise<EdmDenoiser> {
  const key = JSON.stringify(task.config);
  if (replica?.key !== key) {
    const previous = replica?.model;
    const previousOrt = replica?.ort;
    replica = {
      key,
      model: (async () => {
        await (await previousOrt)?.dispose();
        (await previous)?.dispose();
        await initBackend({ backend: task.backend });
        return new EdmDenoiser(task.config);
      })(),
    };
  }
  return replica.model;
}

/** The replica's training graphs on ONNX Runtime (one intra-op thread: each worker is a core). */
function ortFor(model: EdmDenoiser): Promise<OrtGradients> {
  replica!.ort ??= OrtGradients.create(model, { threads: 1 });
  return replica!.ort;
}

export default async function step(task: TrainingTask): Promise<{ loss: number; grads: Float32Array }> {
  const model = await modelFor(task);
  if (task.engine === 'ort') return ortStep(await ortFor(model), model, task);
  const vars = model.trainableVariables();
  let at = 0;
  for (const v of vars) {
    tf.tidy(() => v.assign(tf.tensor(task.weights.subarray(at, at + v.size), v.shape)));
    at += v.size;
  }
  const { value, grads } = sliceGradients(model, task.slice);
  const out = new Float32Array(at);
  at = 0;
  // A weight the stage does not reach has no gradient (left as zeros; the main thread skips it).
  for (const v of vars) {
    if (grads[v.name]) out.set(grads[v.name].dataSync(), at);
    at += v.size;
  }
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return { loss, grads: out };
}

/** The same share on ONNX Runtime: the weights go in as arrays, the replica's variables stay untouched. */
async function ortStep(ort: OrtGradients, model: EdmDenoiser, task: TrainingTask): Promise<{ loss: number; grads: Float32Array }> {
  const trainable = model.store.entries().filter(([, v]) => v.trainable);
  const weights = new Map<string, Float32Array>();
  let at = 0;
  for (const [name, v] of trainable) {
    weights.set(name, task.weights.subarray(at, at + v.size));
    at += v.size;
  }
  const { loss, grads } = await ort.gradients(task.slice, weights);
  const out = new Float32Array(at);
  at = 0;
  for (const [name, v] of trainable) {
    const g = grads.get(name);
    if (g) out.set(g, at);
    at += v.size;
  }
  return { loss, grads: out };
}
