import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const tfjsWasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));

/**
 * Files the page fetches at run time, by URL path: tfjs's wasm binaries and the checkpoint.
 * (onnxruntime-web's bundle names its wasm with `new URL(..., import.meta.url)`, which Vite emits.)
 */
const ASSETS: Record<string, string> = {
  'tfjs-wasm/tfjs-backend-wasm.wasm': join(tfjsWasmDist, 'tfjs-backend-wasm.wasm'),
  'tfjs-wasm/tfjs-backend-wasm-simd.wasm': join(tfjsWasmDist, 'tfjs-backend-wasm-simd.wasm'),
  'tfjs-wasm/tfjs-backend-wasm-threaded-simd.wasm': join(tfjsWasmDist, 'tfjs-backend-wasm-threaded-simd.wasm'),
  'model/fmnist-lowdiff.safetensors': join(here, '../pixel/checkpoints/fmnist-lowdiff.safetensors'),
};

// Cross-origin isolation (SharedArrayBuffer) lets both wasm runtimes use threads.
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

const TYPES: Record<string, string> = { '.wasm': 'application/wasm' };

/** Serves ASSETS in dev and writes them into the build, so nothing is fetched from elsewhere. */
function runtimeAssets(): Plugin {
  return {
    name: 'lowdiff-runtime-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = ASSETS[(req.url ?? '').split('?')[0].replace(/^\//, '')];
        if (!path) return next();
        const ext = path.slice(path.lastIndexOf('.'));
        res.setHeader('Content-Type', TYPES[ext] ?? 'application/octet-stream');
        for (const [k, v] of Object.entries(ISOLATION)) res.setHeader(k, v);
        res.end(readFileSync(path));
      });
    },
    generateBundle() {
      for (const [fileName, path] of Object.entries(ASSETS)) this.emitFile({ type: 'asset', fileName, source: readFileSync(path) });
    },
  };
}

export default defineConfig({
  root: here,
  // The packages are used from source (their "@lowdiff/source" export) and in their browser form
  // ("browser": no file system), so the page needs no prior build and no Node module.
  resolve: { conditions: ['@lowdiff/source', 'module', 'browser', 'development|production'] },
  // onnxruntime-web finds its wasm next to its own module; pre-bundling would move the module.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  plugins: [runtimeAssets()],
  server: { headers: ISOLATION, port: 5173 },
  preview: { headers: ISOLATION, port: 4173 },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
});
