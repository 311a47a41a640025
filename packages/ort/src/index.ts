/**
 * @lowdiff/ort: ONNX Runtime for sampling and training. A model's denoiser, exported to ONNX by
 * the model's own definition, behind the same `denoise` call the sampler drives; and the
 * gradients of a training step from the same definition's training graph, for the trainer.
 */
export { OrtGradients, type OrtGradientsOptions } from './ort-gradients';
export { OrtDenoiser, OrtError, loadOnnxRuntime, type OrtDenoiserOptions, type OrtModule } from './ort-denoiser';
