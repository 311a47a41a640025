/**
 * @lowdiff/ort: sampling on ONNX Runtime. A model's denoiser, exported to ONNX by the model's own
 * definition, behind the same `denoise` call the sampler drives.
 */
export { OrtDenoiser, OrtError, loadOnnxRuntime, type OrtDenoiserOptions, type OrtModule } from './ort-denoiser';
