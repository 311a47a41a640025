import type * as tf from '@tensorflow/tfjs';
import { edmLossWeight } from '@lowdiff/schedule';
import { denoiserVectors, type EdmDenoiser } from '../edm-denoiser';
import type { DropoutSource } from '../layers/context';
import { SampleMasks } from '../sample-masks';
import { DENOISER_VECTOR_INPUTS } from './export-onnx';
import { OnnxGraph, type OnnxIo } from './onnx-graph';
import type { OnnxValue } from './onnx-ops';
import { OnnxTrainingOps, type WeightInput } from './onnx-training-ops';

/**
 * One worker's share of a training step: rows [start, start + count) of a batch of `total`,
 * everything drawn already (the trainer's generator decides; both engines compute from this).
 */
export interface TrainingSlice {
  resolution: number;
  channels: number;
  start: number;
  count: number;
  total: number;
  /** Clean images at the stage resolution, NHWC. */
  y: Float32Array;
  noise: Float32Array;
  sigma: Float32Array;
  /** The noised, upsampled condition (conditioned stages). */
  condition: Float32Array | null;
  sigmaAug: Float32Array | null;
  /** Labels after label dropout (class-conditional models). */
  labels: Int32Array | null;
  lossWeight: number;
  /** Seed of this step's dropout masks (see SampleMasks). */
  maskSeed: number;
}

/** A dropout mask the graph takes as an input, drawn per step by {@link SampleMasks}. */
export interface MaskInput {
  name: string;
  /** Its NHWC shape with the batch first (-1). */
  shape: number[];
  rate: number;
}

/** A stage's training step as an ONNX graph: the loss and the gradient of every weight it reaches. */
export interface TrainingGraph {
  resolution: number;
  /** The ModelProto bytes. */
  bytes: Uint8Array;
  inputs: OnnxIo[];
  /** Trainable weights, graph inputs named as in the model's store. */
  weights: WeightInput[];
  /** Graph output name of each reached weight's gradient, by weight name. */
  gradients: Map<string, string>;
  masks: MaskInput[];
}

/** The loss output: the slice's share of the step's loss (see {@link trainingFeeds}). */
export const TRAINING_LOSS_OUTPUT = 'loss';

/** Declares each dropout layer's mask as a graph input, in the order the network asks for them. */
class GraphMasks implements DropoutSource {
  readonly masks: MaskInput[] = [];
  constructor(private readonly ops: OnnxTrainingOps) {}

  dropoutMask(shape: number[], rate: number): OnnxValue {
    const name = `dropout_${this.masks.length}`;
    this.masks.push({ name, shape: [-1, ...shape.slice(1)], rate });
    return this.ops.input(name, [1, ...shape.slice(1)], shape.length === 4 ? 'map' : 'plain') as OnnxValue;
  }
}

/**
 * EDM's training loss at one stage resolution and its gradients as one ONNX graph, built from
 * the same `EdmDenoiser.interpret` the tfjs trainer differentiates: the forward pass in training
 * mode (dropout masks as inputs), the per-sample weighted squared error, and the backward pass
 * of {@link OnnxTrainingOps}. Feed it with {@link trainingFeeds}.
 */
export function exportTrainingGraph(model: EdmDenoiser, resolution: number): TrainingGraph {
  if (!model.resolutions.includes(resolution))
    throw new Error(`resolution ${resolution} is not a stage of this model (${model.resolutions.join(', ')})`);
  const graph = new OnnxGraph(`lowdiff_training_r${resolution}`);
  const names = new Map(model.store.entries().map(([name, v]) => [v, name] as [tf.Variable, string]));
  const ops = new OnnxTrainingOps(graph, names);
  const map = [1, resolution, resolution, model.channels];
  const x = ops.input('x', map, 'map');
  const y = ops.input('y', map, 'map') as OnnxValue;
  const lossWeight = ops.input('lossWeight', [1], 'plain') as OnnxValue;
  const condition = model.config.conditionInput ? ops.input('condition', map, 'map') : null;
  const vectors = Object.fromEntries(DENOISER_VECTOR_INPUTS.map((k) => [k, ops.input(k, [1], 'plain')])) as Record<(typeof DENOISER_VECTOR_INPUTS)[number], OnnxValue>;
  const classLabels = model.numClasses > 0 ? ops.input('classLabels', [1], 'plain', 'int32') : null;
  const masks = new GraphMasks(ops);
  const denoised = model.interpret(ops, { x, condition, classLabels, ...vectors }, resolution, { training: true, dropout: model.config.dropout, rng: masks }) as OnnxValue;

  // loss = sum_i w_i |D_i - y_i|^2, so dL/dD = 2 w (D - y).
  const residual = graph.op('Sub', [denoised.ref(graph), y.ref(graph)]);
  const perSample = graph.op('ReduceSum', [graph.op('Mul', [residual, residual]), graph.ints([1, 2, 3])], { keepdims: 0 });
  graph.node('ReduceSum', [graph.op('Mul', [perSample, lossWeight.ref(graph)])], { keepdims: 0 }, [TRAINING_LOSS_OUTPUT]);
  graph.output({ name: TRAINING_LOSS_OUTPUT, dtype: 'float32', shape: [] });
  const twice = graph.op('Mul', [lossWeight.ref(graph), graph.floats('two', Float32Array.of(2), [])]);
  const dDenoised = graph.op('Mul', [residual, graph.op('Reshape', [twice, graph.ints([-1, 1, 1, 1])])]);

  const gradients = new Map<string, string>();
  for (const [name, g] of ops.backward(denoised, dDenoised)) {
    const out = `grad:${name}`;
    graph.node('Identity', [g], {}, [out]);
    graph.output({ name: out, dtype: 'float32', shape: ops.weightInputs.find((w) => w.name === name)!.shape });
    gradients.set(name, out);
  }
  return { resolution, bytes: graph.encode(), inputs: [...graph.declaredInputs], weights: ops.weightInputs, gradients, masks: masks.masks };
}

/** A graph input's values: float32 or int32 data with its shape. */
export interface Feed {
  data: Float32Array | Int32Array;
  dims: number[];
}

/**
 * The inputs of a training graph for one slice (weights not included): the noisy input
 * y + sigma n, the clean target, EDM's per-sample coefficients, the condition (zeros for a first
 * stage), labels (the null class when absent), the dropout masks of {@link SampleMasks}, and the
 * loss weight lambda(sigma) * lossWeight / (total pixels of the whole batch), which makes the
 * slices' losses and gradients add up to the batch mean the tfjs trainer takes.
 */
export function trainingFeeds(model: EdmDenoiser, graph: TrainingGraph, s: TrainingSlice): Record<string, Feed> {
  const r = s.resolution;
  const c = model.channels;
  const map = [s.count, r, r, c];
  const x = new Float32Array(s.y.length);
  const perSample = r * r * c;
  for (let i = 0; i < s.count; i++)
    for (let j = i * perSample; j < (i + 1) * perSample; j++) x[j] = s.y[j] + s.sigma[i] * s.noise[j];
  const vectors = denoiserVectors(model.sigmaData, s.sigma, s.sigmaAug ?? new Float32Array(s.count), s.condition !== null);
  const feeds: Record<string, Feed> = {
    x: { data: x, dims: map },
    y: { data: s.y, dims: map },
    lossWeight: { data: Float32Array.from(s.sigma, (sg) => (edmLossWeight(sg, model.sigmaData) * s.lossWeight) / (s.total * perSample)), dims: [s.count] },
  };
  if (model.config.conditionInput) feeds.condition = { data: s.condition ?? new Float32Array(x.length), dims: map };
  for (const k of DENOISER_VECTOR_INPUTS) feeds[k] = { data: vectors[k], dims: [s.count] };
  if (model.numClasses > 0) feeds.classLabels = { data: s.labels ?? new Int32Array(s.count).fill(model.numClasses), dims: [s.count] };
  const masks = new SampleMasks(s.maskSeed, s.start);
  for (const m of graph.masks) {
    const dims = [s.count, ...m.shape.slice(1)];
    feeds[m.name] = { data: masks.values(dims, m.rate), dims };
  }
  return feeds;
}
