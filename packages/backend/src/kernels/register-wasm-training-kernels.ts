import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilter } from './conv2d-backprop-filter';
import { conv2dBackpropInput } from './conv2d-backprop-input';
import { unsortedSegmentSum } from './unsorted-segment-sum';
import { resizeNearestNeighborGrad } from './resize-nearest-neighbor-grad';
import { batchMatMulOnXnnpack } from './batch-mat-mul';
import { fastConcat, fastSlice, fastSplitV } from './heap-copies';
import { sumLeadingAxesOnXnnpack } from './sum-leading-axes';
import { shareIdentity, shareSameDtypeCast, type RawKernel } from './zero-copy-identity';

type Attrs = Record<string, unknown>;

// Kernels are composed from tf ops. The engine does not record ops run inside a kernel on the
// gradient tape, and returns a Tensor from a kernel as its output unchanged, so this is safe.
interface KernelPatch {
  name: string;
  replaces: boolean;
  run: (inputs: tf.NamedTensorMap, attrs: Attrs) => tf.Tensor;
}

const WASM_KERNELS: KernelPatch[] = [
  {
    name: 'Conv2DBackpropFilter',
    replaces: false,
    run: ({ x, dy }, a) =>
      conv2dBackpropFilter(
        x as tf.Tensor4D,
        dy as tf.Tensor4D,
        a.filterShape as [number, number, number, number],
        a.strides as [number, number],
        a.pad as 'same',
        a.dimRoundingMode as 'floor' | undefined,
      ),
  },
  {
    name: 'Conv2DBackpropInput',
    replaces: true,
    run: ({ dy, filter }, a) =>
      conv2dBackpropInput(
        dy as tf.Tensor4D,
        filter as tf.Tensor4D,
        a.inputShape as [number, number, number, number],
        a.strides as [number, number],
        a.pad as 'same',
        a.dimRoundingMode as 'floor' | undefined,
      ),
  },
  {
    name: 'UnsortedSegmentSum',
    replaces: false,
    run: ({ x, segmentIds }, a) => unsortedSegmentSum(x, segmentIds, a.numSegments as number),
  },
];

const resizeNearestGradFix: KernelPatch = {
  name: 'ResizeNearestNeighborGrad',
  replaces: true,
  run: ({ images, dy }, a) =>
    resizeNearestNeighborGrad(images as tf.Tensor4D, dy as tf.Tensor4D, a.alignCorners === true, a.halfPixelCenters === true),
};

const CPU_KERNELS: KernelPatch[] = [resizeNearestGradFix];

/** Names of the kernels this package adds to (or replaces in) the wasm backend. */
export const WASM_TRAINING_KERNELS: readonly string[] = WASM_KERNELS.map((k) => k.name);
/** Names of the cpu-backend kernels this package replaces with corrected versions. */
export const CPU_KERNEL_FIXES: readonly string[] = CPU_KERNELS.map((k) => k.name);

/**
 * Registers on `wasm` the kernels a UNet or DiT training step needs that the backend lacks
 * (and a faster conv input gradient), so `tf.grad`, `tf.variableGrads` and optimizers work
 * unchanged. Idempotent.
 */
export function registerWasmTrainingKernels(): void {
  registerPatches(WASM_KERNELS, 'wasm');
  replaceRaw('Identity', 'wasm', () => shareIdentity);
  replaceRaw('Cast', 'wasm', (upstream) => shareSameDtypeCast(upstream));
  replaceRaw('BatchMatMul', 'wasm', batchMatMulOnXnnpack);
  replaceRaw('Slice', 'wasm', fastSlice);
  replaceRaw('SplitV', 'wasm', fastSplitV);
  replaceRaw('Concat', 'wasm', fastConcat);
  replaceRaw('Sum', 'wasm', sumLeadingAxesOnXnnpack);
}

/** Wraps a backend's own kernel (which needs the backend argument) once. */
function replaceRaw(name: string, backendName: string, make: (upstream: RawKernel) => RawKernel): void {
  const existing = tf.getKernel(name, backendName) as (tf.KernelConfig & { lowdiff?: boolean }) | undefined;
  if (!existing || existing.lowdiff) return;
  tf.unregisterKernel(name, backendName);
  const kernelFunc = make(existing.kernelFunc as unknown as RawKernel);
  // The upstream kernel stays on the config, so a benchmark can compare the two in one process.
  tf.registerKernel({ ...existing, kernelFunc, lowdiff: true, upstream: existing.kernelFunc } as unknown as tf.KernelConfig);
}

/** Replaces cpu-backend kernels whose gradients are wrong in tfjs 4.22. Idempotent. */
export function registerCpuKernelFixes(): void {
  registerPatches(CPU_KERNELS, 'cpu');
}

function registerPatches(patches: KernelPatch[], backendName: string): void {
  for (const k of patches) {
    const existing = tf.getKernel(k.name, backendName);
    if (existing && (existing as { lowdiff?: boolean }).lowdiff) continue;
    if (existing) {
      if (!k.replaces) continue;
      tf.unregisterKernel(k.name, backendName);
    }
    const config = {
      kernelName: k.name,
      backendName,
      lowdiff: true,
      kernelFunc: ({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: Attrs }) =>
        k.run(inputs as tf.NamedTensorMap, attrs ?? {}),
    };
    tf.registerKernel(config as unknown as tf.KernelConfig);
  }
}
