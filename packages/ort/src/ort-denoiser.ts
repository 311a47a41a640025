import * as tf from '@tensorflow/tfjs';
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import { exportOnnx, type CallOptions, type EdmDenoiser, type SamplingDenoiser, type StageCall, type TrainedFor } from '@lowdiff/model';

/** The parts of an ONNX Runtime module (onnxruntime-node or onnxruntime-web) this package uses. */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: new (type: 'float32' | 'int32', data: Float32Array | Int32Array, dims: readonly number[]) => OrtTensor;
}

export interface OrtDenoiserOptions {
  /** Intra-op threads of each session; default: every core (`os.availableParallelism()`, a page's `navigator.hardwareConcurrency`). */
  threads?: number;
  /** Execution providers in order of preference; default `['cpu']` ('cuda' needs ORT's CUDA build). */
  executionProviders?: string[];
  /** The ONNX Runtime module; default: `onnxruntime-node`, loaded on demand. */
  ort?: OrtModule;
}

/** ONNX Runtime could not be loaded or could not run the model; the message says why. */
export class OrtError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrtError';
  }
}

// Node's module, named through a variable so that browser bundlers leave it alone (a page passes
// onnxruntime-web as `ort`).
const ORT_NODE = 'onnxruntime-node';

/** onnxruntime-node, or an OrtError saying why it does not load here. */
export async function loadOnnxRuntime(): Promise<OrtModule> {
  try {
    const mod = (await import(/* @vite-ignore */ ORT_NODE)) as unknown as OrtModule & { default?: OrtModule };
    return mod.InferenceSession ? mod : mod.default!;
  } catch (err) {
    throw new OrtError(`onnxruntime-node does not load here (${(err as Error).message.split('\n')[0]}); use the tfjs runtime`);
  }
}

/** Logical cores: the page's navigator, or Node's os module. */
async function cores(): Promise<number> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  const os = 'node:os';
  return ((await import(/* @vite-ignore */ os)) as { availableParallelism(): number }).availableParallelism();
}

/**
 * The model's denoiser D on ONNX Runtime: each stage resolution is exported to an ONNX graph by
 * the model's own definition (`exportOnnx`) and run in a session with `threads` intra-op
 * threads. Same call as `EdmDenoiser.denoise`, answered asynchronously; inputs and output stay
 * tfjs tensors, so the sampler is unchanged.
 */
export class OrtDenoiser implements SamplingDenoiser {
  private constructor(
    readonly model: EdmDenoiser,
    private readonly ort: OrtModule,
    private readonly sessions: Map<number, InferenceSession>,
    readonly threads: number,
  ) {}

  static async create(model: EdmDenoiser, options: OrtDenoiserOptions = {}): Promise<OrtDenoiser> {
    const ort = options.ort ?? (await loadOnnxRuntime());
    const threads = options.threads ?? (await cores());
    if (!Number.isInteger(threads) || threads < 1) throw new OrtError(`threads must be an integer >= 1, got ${threads}`);
    const sessionOptions: InferenceSession.SessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      executionProviders: options.executionProviders ?? ['cpu'],
      logSeverityLevel: 3,
    };
    // One session per stage, each with `threads` intra-op threads: stages run one after another,
    // so only one pool is busy at a time.
    const sessions = new Map<number, InferenceSession>();
    try {
      for (const r of model.resolutions) sessions.set(r, await ort.InferenceSession.create(exportOnnx(model, r).bytes, sessionOptions));
    } catch (err) {
      await Promise.all([...sessions.values()].map((s) => s.release()));
      throw new OrtError(`ONNX Runtime cannot run this model: ${(err as Error).message}`);
    }
    return new OrtDenoiser(model, ort, sessions, threads);
  }

  get resolutions(): readonly number[] {
    return this.model.resolutions;
  }
  get channels(): number {
    return this.model.channels;
  }
  get numClasses(): number {
    return this.model.numClasses;
  }
  get sigmaData(): number {
    return this.model.sigmaData;
  }
  /** What the model was trained for: the same facts as the tfjs model, so plans are checked the same on both runtimes. */
  get trainedFor(): TrainedFor | null {
    return this.model.trainedFor;
  }
  flopsPerCall(resolution: number): number {
    return this.model.flopsPerCall(resolution);
  }

  async denoise(x: tf.Tensor4D, sigma: number | Float32Array, call: StageCall, options: CallOptions = {}): Promise<tf.Tensor4D> {
    if (options.training) throw new OrtError("the ONNX Runtime denoiser is for sampling; training on ONNX Runtime goes through OrtGradients (the trainer's engine 'ort')");
    const vectors = this.model.callVectors(x, sigma, call);
    const n = x.shape[0];
    const { Tensor } = this.ort;
    const feeds: Record<string, OrtTensor> = { x: new Tensor('float32', x.dataSync() as Float32Array, x.shape) };
    if (this.model.config.conditionInput) {
      const condition = call.condition ? (call.condition.dataSync() as Float32Array) : new Float32Array(x.size);
      feeds.condition = new Tensor('float32', condition, x.shape);
    }
    for (const [name, values] of Object.entries(vectors)) feeds[name] = new Tensor('float32', values, [n]);
    if (this.numClasses > 0) {
      const labels = call.classLabels ? (call.classLabels.dataSync() as Int32Array) : new Int32Array(n).fill(this.numClasses);
      feeds.classLabels = new Tensor('int32', labels, [n]);
    }
    const session = this.sessions.get(call.resolution);
    if (!session) throw new OrtError('the ONNX Runtime denoiser was disposed');
    let denoised: OrtTensor;
    try {
      ({ denoised } = await session.run(feeds));
    } catch (err) {
      throw new OrtError(`ONNX Runtime failed at resolution ${call.resolution}: ${(err as Error).message}`);
    }
    const out = tf.tensor4d(denoised.data as Float32Array, x.shape);
    denoised.dispose();
    return out;
  }

  /** Releases the sessions (the tfjs model stays the caller's). */
  async dispose(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.release()));
    this.sessions.clear();
  }
}
