import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { EdmDenoiser, SamplingDenoiser } from '@lowdiff/model';
import { OrtDenoiser, OrtError } from '@lowdiff/ort';
import { CliError } from './cli-error';

/** Where sampling runs: ONNX Runtime (every core, the default) or the tfjs backend. */
export const RUNTIMES = ['ort', 'tfjs'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

/** A model opened for sampling on one runtime. */
export interface SamplingRuntime {
  runtime: RuntimeName;
  denoiser: SamplingDenoiser;
  /** ONNX Runtime's intra-op threads; 1 for tfjs (wasm runs one core per thread). */
  threads: number;
  /** Why `auto` fell back to tfjs, if it did. */
  note?: string;
  close(): Promise<void>;
}

/**
 * Opens `model` for sampling on `runtime`. `auto` is ONNX Runtime where onnxruntime-node loads
 * and runs the model, else tfjs (with a note saying why); with `workers` > 1 (tfjs worker
 * threads, asked for explicitly) `auto` is tfjs and `ort` is refused, before anything is built.
 * The tfjs model stays the caller's. `LOWDIFF_ORT_PROVIDERS` (e.g. `cuda,cpu`) picks ONNX
 * Runtime's execution providers.
 */
export async function openRuntime(model: EdmDenoiser, runtime: RuntimeName | 'auto', threads?: number, workers = 1): Promise<SamplingRuntime> {
  if (workers > 1 && runtime === 'ort') throw new CliError('--workers: worker threads are for --runtime tfjs; ONNX Runtime uses every core itself (see --threads)');
  if (runtime === 'tfjs' || workers > 1) return { runtime: 'tfjs', denoiser: model, threads: 1, close: async () => {} };
  try {
    const providers = process.env.LOWDIFF_ORT_PROVIDERS?.split(',').map((p) => p.trim()).filter(Boolean);
    const ort = await OrtDenoiser.create(model, { threads: threads ?? availableParallelism(), executionProviders: providers });
    return { runtime: 'ort', denoiser: ort, threads: ort.threads, close: () => ort.dispose() };
  } catch (err) {
    if (!(err instanceof OrtError)) throw err;
    if (runtime === 'ort') throw new CliError(`--runtime ort: ${err.message}`);
    return { runtime: 'tfjs', denoiser: model, threads: 1, note: err.message, close: async () => {} };
  }
}

/** A runtime as a report names it: `ort (2 threads)` or `tfjs (wasm)`. */
export function runtimeLabel(rt: SamplingRuntime): string {
  return rt.runtime === 'ort' ? `ort (${rt.threads} thread${rt.threads === 1 ? '' : 's'})` : `tfjs (${tf.getBackend()})`;
}
