/**
 * @lowdiff/backend: start a TensorFlow.js backend that can train conv nets on a plain CPU,
 * and the one seeded random generator every package draws from.
 */
export { initBackend, type BackendInfo } from './init-backend';
export {
  BackendNameSchema,
  InitBackendOptionsSchema,
  AUTO_ORDER,
  type BackendName,
  type ConcreteBackend,
  type InitBackendOptions,
} from './backend-name';
export { BackendUnavailableError } from './backend-error';
export {
  registerWasmTrainingKernels,
  registerCpuKernelFixes,
  WASM_TRAINING_KERNELS,
  CPU_KERNEL_FIXES,
} from './kernels/register-wasm-training-kernels';
export { resizeNearestNeighborGrad } from './kernels/resize-nearest-neighbor-grad';
export { conv2dBackpropFilter } from './kernels/conv2d-backprop-filter';
export { conv2dBackpropInput } from './kernels/conv2d-backprop-input';
export { unsortedSegmentSum } from './kernels/unsorted-segment-sum';
export { Rng, RngStateSchema, type RngState } from './rng';
export { writeFileAtomic } from './write-file-atomic';
export { ensureDir } from './ensure-dir';
