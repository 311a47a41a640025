/**
 * Each wasm kernel this package replaces for speed against tfjs-wasm's own, side by side in one
 * process: the same op on the same tensors, the kernel registration swapped between rounds,
 * interleaved rounds, median time per call, and the ratio.
 *
 *   npm run bench:kernels -w @lowdiff/backend [-- --rounds 7 --json]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, json: { type: 'boolean', default: false } } });
await initBackend({ backend: 'wasm' });

type Config = tf.KernelConfig & { upstream?: tf.KernelFunc };
/** Runs `fn` with the given kernel's upstream (tfjs-wasm's own) implementation registered. */
function withUpstream<T>(name: string, fn: () => T): T {
  const patched = tf.getKernel(name, 'wasm') as Config;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...patched, kernelFunc: patched.upstream! });
  try {
    return fn();
  } finally {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(patched);
  }
}

const x = tf.randomNormal([32, 32, 32, 24], 0, 1, 'float32', 1);
const x48 = tf.randomNormal([32, 32, 32, 48], 0, 1, 'float32', 2);
const q = tf.randomNormal([32, 64, 24], 0, 1, 'float32', 3);
const w = tf.randomNormal([32, 64, 64], 0, 1, 'float32', 4);
const a2 = tf.randomNormal([2048, 72], 0, 1, 'float32', 5);
const b2 = tf.randomNormal([24, 72], 0, 1, 'float32', 6);

const cases: { kernel: string; what: string; run: () => tf.Tensor | tf.Tensor[] }[] = [
  { kernel: 'Identity', what: 'clone [32,32,32,24] (every tensor a gradient saves)', run: () => tf.clone(x) },
  { kernel: 'BatchMatMul', what: 'attention q k^T, 32 x [64,24] x [24,64]', run: () => tf.matMul(q as tf.Tensor3D, q as tf.Tensor3D, false, true) },
  { kernel: 'BatchMatMul', what: 'attention w v, 32 x [64,64] x [64,24]', run: () => tf.matMul(w as tf.Tensor3D, q as tf.Tensor3D) },
  { kernel: 'BatchMatMul', what: 'linear backward dy w^T, [2048,72] x [24,72]^T', run: () => tf.matMul(a2 as tf.Tensor2D, b2 as tf.Tensor2D, false, true) },
  { kernel: 'Sum', what: 'bias gradient: sum of [32,32,32,24] over [0,1,2]', run: () => tf.sum(x, [0, 1, 2]) },
  { kernel: 'Sum', what: 'per-sample sum of [32,32,32,24] over [1,2]', run: () => tf.sum(x, [1, 2]) },
  { kernel: 'SplitV', what: 'skip-connection gradient: split [32,32,32,48] in two on channels', run: () => tf.split(x48, 2, 3) },
  { kernel: 'Concat', what: 'skip connection: concat two [32,32,32,24] on channels', run: () => tf.concat([x, x], 3) },
  { kernel: 'Slice', what: 'channels 0..23 of [32,32,32,48]', run: () => tf.slice(x48, [0, 0, 0, 0], [-1, -1, -1, 24]) },
];

const timeOnce = (run: () => tf.Tensor | tf.Tensor[], reps: number) => {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) tf.dispose(run());
  return (performance.now() - t0) / reps;
};
const median = (v: number[]) => [...v].sort((p, r) => p - r)[Math.floor(v.length / 2)];
const rows = cases.map((c) => ({ ...c, patched: [] as number[], upstream: [] as number[] }));
for (const r of rows) {
  withUpstream(r.kernel, () => timeOnce(r.run, 2)); // warm-up: first calls set kernels up
  timeOnce(r.run, 2);
}
for (let round = 0; round < Number(args.rounds); round++)
  for (const r of rows) {
    r.patched.push(timeOnce(r.run, 5));
    r.upstream.push(withUpstream(r.kernel, () => timeOnce(r.run, 5)));
  }
const out = rows.map((r) => ({ kernel: r.kernel, what: r.what, upstreamMs: median(r.upstream), oursMs: median(r.patched), speedup: median(r.upstream) / median(r.patched) }));
if (args.json) console.log(JSON.stringify(out, null, 2));
else {
  console.log(`tfjs-wasm's kernels vs ours, median ms per call over ${args.rounds} interleaved rounds of 5`);
  console.log('| kernel | op | tfjs-wasm ms | ours ms | speed-up |\n|---|---|---|---|---|');
  for (const r of out) console.log(`| ${r.kernel} | ${r.what} | ${r.upstreamMs.toFixed(3)} | ${r.oursMs.toFixed(3)} | ${r.speedup.toFixed(1)}x |`);
}
tf.dispose([x, x48, q, w, a2, b2]);
