import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AUTO_ORDER, InitBackendOptionsSchema, type ConcreteBackend, type InitBackendOptions } from './backend-name';
import { BackendUnavailableError } from './backend-error';
import { registerCpuKernelFixes, registerWasmTrainingKernels } from './kernels/register-wasm-training-kernels';

/** What `initBackend` started. */
export interface BackendInfo {
  /** The backend now running. */
  backend: ConcreteBackend;
  /** tfjs's own name for it (`tensorflow-gpu` runs as tfjs's `tensorflow`). */
  tfjsName: string;
  /** Backends `auto` tried first that did not start, with the reason. */
  skipped: { backend: ConcreteBackend; reason: string }[];
}

const TFJS_NODE_HELP =
  'Its install script downloads libtensorflow from Google storage, which has answered 403 since Aug 2026 ' +
  '(tensorflow/tfjs#8742). If you have libtensorflow 2.9.1 as a local archive, point the install at it: ' +
  'TFJS_NODE_BASE_URI=file:///path/to/folder/ npm rebuild {pkg} (the folder holds the archive under the name ' +
  'the install script prints), or set TFJS_NODE_CDN_STORAGE to a mirror. Otherwise use --backend wasm.';

/**
 * Starts a TensorFlow.js backend and returns which one runs. `auto` takes the fastest that
 * works: tensorflow-gpu, tensorflow, webgpu (with a real GPU adapter), wasm, cpu. Optional
 * backends come from packages the user installs and are loaded by dynamic import; when one
 * is missing or fails, the error says why and how to fix it.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const opts = InitBackendOptionsSchema.parse(options);
  const order = opts.backend === 'auto' ? AUTO_ORDER : [opts.backend];
  const skipped: BackendInfo['skipped'] = [];
  for (const backend of order) {
    try {
      const tfjsName = await start(backend, opts.wasmPaths);
      return { backend, tfjsName, skipped };
    } catch (err) {
      if (opts.backend !== 'auto') throw asUnavailable(backend, err);
      skipped.push({ backend, reason: asUnavailable(backend, err).message });
    }
  }
  throw new Error(`No TensorFlow.js backend could start:\n${skipped.map((s) => `- ${s.backend}: ${s.reason}`).join('\n')}`);
}

async function start(backend: ConcreteBackend, wasmPaths?: string): Promise<string> {
  switch (backend) {
    case 'cpu':
      registerCpuKernelFixes();
      await activate('cpu', backend);
      // The cpu backend prints an "install tfjs-node" banner on its first write; we choose
      // backends deliberately, so it only misleads.
      (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
      return 'cpu';
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(wasmPaths ?? defaultWasmDir());
      registerWasmTrainingKernels();
      await activate('wasm', backend);
      return 'wasm';
    }
    case 'tensorflow':
    case 'tensorflow-gpu': {
      const pkg = backend === 'tensorflow' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
      await importOptional(pkg, backend, TFJS_NODE_HELP.replace('{pkg}', pkg));
      if (!tf.findBackendFactory('tensorflow')) {
        throw new BackendUnavailableError(
          backend,
          `${pkg} loaded but registered its backend with another copy of @tensorflow/tfjs; ` +
            `install ${pkg}@${tf.version_core} so npm shares one copy.`,
        );
      }
      await activate('tensorflow', backend);
      return 'tensorflow';
    }
    case 'webgpu': {
      await exposeNodeWebGpu();
      await importOptional('@tensorflow/tfjs-backend-webgpu', backend, '');
      await activate('webgpu', backend);
      return 'webgpu';
    }
  }
}

async function activate(tfjsName: string, backend: ConcreteBackend): Promise<void> {
  let ok = false;
  try {
    ok = await tf.setBackend(tfjsName);
    await tf.ready();
  } catch (err) {
    throw new BackendUnavailableError(backend, `backend '${tfjsName}' failed to initialise: ${errorText(err)}`, err);
  }
  if (!ok) throw new BackendUnavailableError(backend, `backend '${tfjsName}' failed to initialise`);
}

function defaultWasmDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

// A variable specifier keeps bundlers and tsc from resolving packages that are optional.
async function importOptional(pkg: string, backend: ConcreteBackend, help: string): Promise<unknown> {
  try {
    return await import(/* @vite-ignore */ pkg);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const missing = (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && errorText(err).includes(pkg);
    const what = missing
      ? `${pkg} is not installed. Install it with \`npm install ${pkg}@${tf.version_core}\`.`
      : `${pkg} is installed but failed to load: ${errorText(err)}.`;
    throw new BackendUnavailableError(backend, help ? `${what} ${help}` : what, err);
  }
}

// In Node, WebGPU comes from the `webgpu` package (Dawn). CPU adapters (lavapipe, SwiftShader)
// are refused: they are slower than wasm for this work.
async function exposeNodeWebGpu(): Promise<void> {
  const g = globalThis as unknown as { navigator?: { gpu?: GPU } };
  if (!g.navigator?.gpu) {
    const dawn = (await importOptional(
      'webgpu',
      'webgpu',
      'WebGPU in Node needs the `webgpu` package (Dawn) and a Vulkan, Metal or D3D12 driver for a real GPU.',
    )) as { create: (flags: string[]) => GPU; globals: object };
    Object.assign(globalThis, dawn.globals);
    const nav = (g.navigator ?? {}) as { gpu?: GPU };
    nav.gpu = dawn.create([]);
    if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true });
  }
  const adapter = await g.navigator!.gpu!.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new BackendUnavailableError('webgpu', 'no WebGPU adapter found (no GPU or no driver).');
  const info = (adapter as unknown as { info?: { type?: string; description?: string; device?: string } }).info;
  const isFallback = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const name = `${info?.description ?? ''} ${info?.device ?? ''}`.toLowerCase();
  if (isFallback || info?.type === 'cpu' || /llvmpipe|lavapipe|swiftshader/.test(name)) {
    throw new BackendUnavailableError('webgpu', `the only WebGPU adapter is a CPU emulation (${name.trim() || 'fallback'}); use wasm instead.`);
  }
}

function asUnavailable(backend: ConcreteBackend, err: unknown): BackendUnavailableError {
  return err instanceof BackendUnavailableError ? err : new BackendUnavailableError(backend, errorText(err), err);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
