/**
 * A worker thread of the training pool: holds a replica of the model, takes the step's weights,
 * and returns its slice's share of the loss and gradients (see sliceGradients).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '@lowdiff/backend';
import { EdmDenoiser, type ModelConfig } from '@lowdiff/model';
import { sliceGradients, type StepSlice } from './slice-gradients';

export interface TrainingTask {
  backend: BackendName;
  config: ModelConfig;
  /** Every trainable weight, concatenated in `trainableVariables()` order. */
  weights: Float32Array;
  slice: StepSlice;
}

let replica: { key: string; model: Promise<EdmDenoiser> } | null = null;

function modelFor(task: TrainingTask): Promise<EdmDenoiser> {
  const key = JSON.stringify(task.config);
  if (replica?.key !== key) {
    const previous = replica?.model;
    replica = {
      key,
      model: (async () => {
        (await previous)?.dispose();
        await initBackend({ backend: task.backend });
        return new EdmDenoiser(task.config);
      })(),
    };
  }
  return replica.model;
}

export default async function step(task: TrainingTask): Promise<{ loss: number; grads: Float32Array }> {
  const model = await modelFor(task);
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
