import type { EdmDenoiser } from '../edm-denoiser';
import { OnnxGraph, type OnnxIo } from './onnx-graph';
import { OnnxOps } from './onnx-ops';

/** The per-sample [N] float inputs of an exported denoiser, as `denoiserVectors` computes them. */
export const DENOISER_VECTOR_INPUTS = ['cIn', 'cSkip', 'cOut', 'cNoise', 'cAug', 'condScale', 'hasCondition'] as const;

/** One stage of a model as an ONNX graph. */
export interface OnnxStage {
  resolution: number;
  /** The ModelProto bytes. */
  bytes: Uint8Array;
  /**
   * Its inputs: `x` [N, r, r, C], `condition` [N, r, r, C] (models with condition input; zeros
   * for a first stage), the vectors of {@link DENOISER_VECTOR_INPUTS} [N], and `classLabels` [N]
   * int32 (class-conditional models; `numClasses` is the null class).
   */
  inputs: OnnxIo[];
  /** `denoised` [N, r, r, C]: D(x; sigma). */
  output: OnnxIo;
}

/**
 * Interprets the model's denoiser D at one stage resolution as an ONNX graph (opset 17, dynamic
 * batch, NHWC inputs and output like the tfjs model): the same `EdmDenoiser.interpret` code the
 * tfjs path runs, so the two cannot disagree about the architecture.
 */
export function exportOnnx(model: EdmDenoiser, resolution: number): OnnxStage {
  if (!model.resolutions.includes(resolution))
    throw new Error(`resolution ${resolution} is not a stage of this model (${model.resolutions.join(', ')})`);
  const graph = new OnnxGraph(`lowdiff_denoiser_r${resolution}`);
  const ops = new OnnxOps(graph);
  const map = [1, resolution, resolution, model.channels];
  const x = ops.input('x', map, 'map');
  const condition = model.config.conditionInput ? ops.input('condition', map, 'map') : null;
  const vectors = Object.fromEntries(DENOISER_VECTOR_INPUTS.map((k) => [k, ops.input(k, [1], 'plain')])) as Record<(typeof DENOISER_VECTOR_INPUTS)[number], ReturnType<OnnxOps['input']>>;
  const classLabels = model.numClasses > 0 ? ops.input('classLabels', [1], 'plain', 'int32') : null;
  ops.output('denoised', model.interpret(ops, { x, condition, classLabels, ...vectors }, resolution));
  const inputs = [...graph.declaredInputs];
  return { resolution, bytes: graph.encode(), inputs, output: { name: 'denoised', dtype: 'float32', shape: inputs[0].shape } };
}
