import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import { exportTrainingGraph, trainingFeeds, TRAINING_LOSS_OUTPUT, type EdmDenoiser, type TrainingGraph, type TrainingSlice } from '@lowdiff/model';
import { loadOnnxRuntime, OrtError, type OrtModule } from './ort-denoiser';

export interface OrtGradientsOptions {
  /** Intra-op threads of each session (default 1: the trainer runs one engine per core). */
  threads?: number;
  /** The ONNX Runtime module; default: `onnxruntime-node`, loaded on demand. */
  ort?: OrtModule;
}

/**
 * A training step's loss and gradients on ONNX Runtime: each stage resolution's training graph
 * (`exportTrainingGraph`: the model's own forward definition and its backward pass) runs in a
 * session made on first use; the weights are fed every call, so the graph never holds stale
 * ones. Same slice in, same numbers out as the tfjs trainer's `variableGrads`, to float rounding.
 */
export class OrtGradients {
  private readonly stages = new Map<number, Promise<{ graph: TrainingGraph; session: InferenceSession }>>();

  private constructor(
    readonly model: EdmDenoiser,
    private readonly ort: OrtModule,
    readonly threads: number,
  ) {}

  static async create(model: EdmDenoiser, options: OrtGradientsOptions = {}): Promise<OrtGradients> {
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1) throw new OrtError(`threads must be an integer >= 1, got ${threads}`);
    return new OrtGradients(model, options.ort ?? (await loadOnnxRuntime()), threads);
  }

  private stage(resolution: number) {
    let s = this.stages.get(resolution);
    if (!s) {
      s = (async () => {
        const graph = exportTrainingGraph(this.model, resolution);
        try {
          const session = await this.ort.InferenceSession.create(graph.bytes, {
            intraOpNumThreads: this.threads,
            interOpNumThreads: 1,
            executionMode: 'sequential',
            graphOptimizationLevel: 'all',
            logSeverityLevel: 3,
          });
          return { graph, session };
        } catch (err) {
          throw new OrtError(`ONNX Runtime cannot run the training graph at resolution ${resolution}: ${(err as Error).message}`);
        }
      })();
      this.stages.set(resolution, s);
    }
    return s;
  }

  /**
   * The slice's share of the loss and the gradient of every weight its stage reaches, by weight
   * name. `weights` holds the current values by name (default: read from the model).
   */
  async gradients(slice: TrainingSlice, weights?: ReadonlyMap<string, Float32Array>): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
    const { graph, session } = await this.stage(slice.resolution);
    const { Tensor } = this.ort;
    const feeds: Record<string, OrtTensor> = {};
    for (const [name, f] of Object.entries(trainingFeeds(this.model, graph, slice)))
      feeds[name] = f.data instanceof Int32Array ? new Tensor('int32', f.data, f.dims) : new Tensor('float32', f.data, f.dims);
    const store = weights ? null : new Map(this.model.store.entries());
    for (const w of graph.weights) feeds[w.name] = new Tensor('float32', weights?.get(w.name) ?? (store!.get(w.name)!.dataSync() as Float32Array), w.shape);
    let out: InferenceSession.OnnxValueMapType;
    try {
      out = await session.run(feeds);
    } catch (err) {
      throw new OrtError(`ONNX Runtime failed in the training step at resolution ${slice.resolution}: ${(err as Error).message}`);
    }
    const grads = new Map<string, Float32Array>();
    for (const [name, output] of graph.gradients) grads.set(name, out[output].data as Float32Array);
    return { loss: (out[TRAINING_LOSS_OUTPUT].data as Float32Array)[0], grads };
  }

  /** Releases the sessions. */
  async dispose(): Promise<void> {
    const stages = await Promise.allSettled(this.stages.values());
    this.stages.clear();
    await Promise.all(stages.flatMap((s) => (s.status === 'fulfilled' ? [s.value.session.release()] : [])));
  }
}
