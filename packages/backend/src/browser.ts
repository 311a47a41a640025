/**
 * @lowdiff/backend in a browser: the seeded generator and the wasm kernels, without Node's
 * backend loader and file helpers (pick a backend with `tf.setBackend`). Bundlers pick this entry
 * by the `browser` condition.
 */
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
