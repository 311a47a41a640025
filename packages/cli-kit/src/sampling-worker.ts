/**
 * A worker thread of the sampling pool: loads the checkpoint once, then runs `generate` for each
 * task it is handed. The wasm backend is single-threaded in Node, so one worker per core is how
 * sampling uses a machine's cores.
 */
import { initBackend, type BackendName } from '@lowdiff/backend';
import type { EdmDenoiser } from '@lowdiff/model';
import type { ResolvedCascadePlan } from '@lowdiff/sampler';
import { loadModelForSampling } from './checkpoint-model';
import { generate, type Generated } from './generate';

export interface SamplingTask {
  checkpoint: string;
  backend: BackendName;
  plan: ResolvedCascadePlan;
  count: number;
  seed: number;
  firstIndex: number;
  labels?: number[];
  batchSize: number;
  stripCount: number;
}

let loaded: { checkpoint: string; model: Promise<EdmDenoiser> } | null = null;

function modelFor(task: SamplingTask): Promise<EdmDenoiser> {
  if (loaded?.checkpoint !== task.checkpoint) {
    const previous = loaded?.model;
    loaded = {
      checkpoint: task.checkpoint,
      model: (async () => {
        (await previous)?.dispose();
        await initBackend({ backend: task.backend });
        return (await loadModelForSampling(task.checkpoint)).model;
      })(),
    };
  }
  return loaded.model;
}

export default async function sample(task: SamplingTask): Promise<Generated> {
  const model = await modelFor(task);
  return generate(model, task.plan, {
    count: task.count,
    seed: task.seed,
    firstIndex: task.firstIndex,
    labels: task.labels,
    batchSize: task.batchSize,
    stripCount: task.stripCount,
    // The pool checked the plan against the model's training in the main thread.
    checkTraining: false,
  });
}
