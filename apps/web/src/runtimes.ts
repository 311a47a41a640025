import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '@lowdiff/backend';
import type { EdmDenoiser, SamplingDenoiser } from '@lowdiff/model';
import { OrtDenoiser, type OrtModule } from '@lowdiff/ort';

/** Where the page can run the network: ONNX Runtime Web on the exported graph, or tfjs itself. */
export type RuntimeId = 'ort-webgpu' | 'ort-wasm' | 'tfjs-webgl' | 'tfjs-wasm';

export interface RuntimeChoice {
  id: RuntimeId;
  label: string;
  available: boolean;
  /** Why it is not available here. */
  why?: string;
}

const base = import.meta.env.BASE_URL;

/** wasm threads: every core when the page is cross-origin isolated (SharedArrayBuffer), else one. */
export const wasmThreads = (): number => (globalThis.crossOriginIsolated ? navigator.hardwareConcurrency || 1 : 1);

export async function runtimeChoices(): Promise<RuntimeChoice[]> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  const webgl = !!document.createElement('canvas').getContext('webgl2');
  const t = wasmThreads();
  return [
    { id: 'ort-webgpu', label: 'ONNX Runtime Web, WebGPU', available: !!adapter, why: 'no WebGPU adapter in this browser' },
    { id: 'ort-wasm', label: `ONNX Runtime Web, wasm, ${t} thread${t > 1 ? 's' : ''}`, available: true },
    { id: 'tfjs-webgl', label: 'TensorFlow.js, WebGL', available: webgl, why: 'no WebGL2 in this browser' },
    { id: 'tfjs-wasm', label: `TensorFlow.js, wasm, ${t} thread${t > 1 ? 's' : ''}`, available: true },
  ];
}

/**
 * Makes tfjs's backend the one a runtime needs: WebGL for tfjs-webgl, wasm otherwise (the
 * sampler's arithmetic and ONNX Runtime's inputs are tfjs tensors).
 */
export async function useTfjsBackendFor(id: RuntimeId): Promise<string> {
  const name = id === 'tfjs-webgl' ? 'webgl' : 'wasm';
  if (tf.getBackend() !== name) {
    setWasmPaths(`${base}tfjs-wasm/`);
    if (!(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' does not start in this browser`);
    await tf.ready();
  }
  registerWasmTrainingKernels();
  return name;
}

/** The denoiser of a runtime: the model itself for tfjs, its exported graphs on ONNX Runtime Web. */
export async function openDenoiser(id: RuntimeId, model: EdmDenoiser): Promise<{ denoiser: SamplingDenoiser; close(): Promise<void> }> {
  if (id === 'tfjs-webgl' || id === 'tfjs-wasm') return { denoiser: model, close: async () => {} };
  // A chunk of its own: onnxruntime-web starts its wasm threads as workers of its own module
  // (import.meta.url), which must not be the page's code.
  const ort = await import('onnxruntime-web/webgpu');
  ort.env.wasm.numThreads = wasmThreads();
  const denoiser = await OrtDenoiser.create(model, {
    ort: ort as unknown as OrtModule,
    executionProviders: [id === 'ort-webgpu' ? 'webgpu' : 'wasm'],
    threads: wasmThreads(),
  });
  return { denoiser, close: () => denoiser.dispose() };
}
