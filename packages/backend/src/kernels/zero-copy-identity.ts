import type * as tf from '@tensorflow/tfjs';

// tfjs records a copy (an Identity kernel) of every tensor a gradient needs, and a same-dtype Cast
// for every clone's gradient; wasm implements both as a memcpy, ~1,400 copies per 32x32 training
// step. tfjs tensors are immutable (a variable's assign swaps its data id), so sharing the data
// id with a reference count is what the cpu backend and wasm's own Reshape already do.
interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

interface KernelArgs {
  inputs: { x: tf.TensorInfo };
  attrs?: { dtype?: tf.DataType };
  backend: RefCountingBackend;
}

export type RawKernel = (args: KernelArgs) => tf.TensorInfo;

/** Identity without a copy. */
export function shareIdentity({ inputs: { x }, backend }: KernelArgs): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Cast to the dtype a tensor already has, without a copy; other casts go to `fallback`. */
export const shareSameDtypeCast =
  (fallback: RawKernel): RawKernel =>
  (args) =>
    args.attrs?.dtype === args.inputs.x.dtype ? shareIdentity(args) : fallback(args);
