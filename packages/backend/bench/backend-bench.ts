/**
 * Conv forward and forward+backward GFLOP/s and a small training step's images/s, on every
 * backend that starts here, measured in one run so the ratios are fair.
 *
 *   npm run bench -w @lowdiff/backend            # table
 *   npm run bench -w @lowdiff/backend -- --json  # JSON for scripts
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { initBackend, Rng, type ConcreteBackend } from '../src';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    backends: { type: 'string', default: 'cpu,wasm,tensorflow,tensorflow-gpu,webgpu' },
    'min-ms': { type: 'string', default: '1500' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: backend-bench [--json] [--backends cpu,wasm,...] [--min-ms 1500]');
  process.exit(0);
}
const minMs = Number(args['min-ms']);

// Conv shape: batch 8, 32x32, 32 -> 32 channels, 3x3 "same" (a mid-size UNet layer).
const N = 8, H = 32, C = 32, K = 3;
const convFlops = 2 * N * H * H * K * K * C * C;
const STEP_BATCH = 16;

interface Row {
  backend: ConcreteBackend;
  convForwardGflops: number;
  convForwardBackwardGflops: number;
  trainImagesPerSec: number;
}

async function timeIt(fn: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const sync = async (out: tf.Tensor | tf.Tensor[]) => {
    const list = Array.isArray(out) ? out : [out];
    await Promise.all(list.map((t) => t.data()));
    tf.dispose(list);
  };
  await sync(fn()); // warm-up: kernel setup, weight packing
  let reps = 0;
  const t0 = performance.now();
  // The pure-JS cpu backend needs tens of seconds per training step; one timed rep is enough there.
  while (performance.now() - t0 < minMs || reps < 1) {
    await sync(fn());
    reps++;
  }
  return (performance.now() - t0) / reps;
}

async function measure(backend: ConcreteBackend): Promise<Row> {
  const rng = new Rng(0);
  const x = rng.normalTensor([N, H, H, C]) as tf.Tensor4D;
  const w = rng.normalTensor([K, K, C, C], 0, 0.1) as tf.Tensor4D;
  const fwdMs = await timeIt(() => tf.conv2d(x, w, 1, 'same'));
  // Backward = input gradient + filter gradient, each as costly as the forward conv.
  const bwdMs = await timeIt(() =>
    tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))([x, w]),
  );

  // A small denoiser-shaped conv net: 1 -> 32 -> (stride 2) 64 -> upsample -> 32 -> 1, with Adam.
  const shapes = [[3, 3, 1, 32], [3, 3, 32, 64], [3, 3, 64, 32], [3, 3, 32, 1]];
  const vars = shapes.map((s) => tf.variable(rng.normalTensor(s, 0, 1 / Math.sqrt(s[0] * s[1] * s[2]))));
  const opt = tf.train.adam(1e-3);
  const img = rng.normalTensor([STEP_BATCH, 32, 32, 1]) as tf.Tensor4D;
  const silu = (t: tf.Tensor) => tf.mul(t, tf.sigmoid(t));
  const stepMs = await timeIt(() => {
    const loss = opt.minimize(() => {
      const [w1, w2, w3, w4] = vars as unknown as tf.Tensor4D[];
      const h1 = silu(tf.conv2d(img, w1, 1, 'same')) as tf.Tensor4D;
      const h2 = silu(tf.conv2d(h1, w2, 2, 'same')) as tf.Tensor4D;
      const up = tf.image.resizeNearestNeighbor(h2, [32, 32]);
      const h3 = silu(tf.add(tf.conv2d(up, w3, 1, 'same'), h1)) as tf.Tensor4D;
      return tf.mean(tf.square(tf.sub(tf.conv2d(h3, w4, 1, 'same'), img))) as tf.Scalar;
    }, true);
    return loss!;
  });
  opt.dispose();
  tf.dispose([x, w, img, ...vars]);
  return {
    backend,
    convForwardGflops: convFlops / fwdMs / 1e6,
    convForwardBackwardGflops: (3 * convFlops) / (fwdMs + bwdMs) / 1e6,
    trainImagesPerSec: (STEP_BATCH * 1000) / stepMs,
  };
}

const rows: Row[] = [];
const skipped: { backend: string; reason: string }[] = [];
for (const name of args.backends.split(',') as ConcreteBackend[]) {
  try {
    await initBackend({ backend: name });
  } catch (err) {
    skipped.push({ backend: name, reason: (err as Error).message.split('. ')[0] });
    continue;
  }
  if (!args.json) process.stderr.write(`measuring ${name}...\n`);
  rows.push(await measure(name));
}
const by = (b: string) => rows.find((r) => r.backend === b);
const wasm = by('wasm');
const cpu = by('cpu');
const ratios =
  wasm && cpu
    ? {
        convForward: wasm.convForwardGflops / cpu.convForwardGflops,
        convForwardBackward: wasm.convForwardBackwardGflops / cpu.convForwardBackwardGflops,
        trainStep: wasm.trainImagesPerSec / cpu.trainImagesPerSec,
      }
    : undefined;

if (args.json) {
  console.log(JSON.stringify({ conv: { batch: N, size: H, channels: C, kernel: K }, stepBatch: STEP_BATCH, rows, ratiosWasmOverCpu: ratios, skipped }, null, 2));
} else {
  console.log(`conv ${K}x${K}, batch ${N}, ${H}x${H}, ${C}->${C} ch; train step: 4-conv net, batch ${STEP_BATCH}, 32x32x1, Adam`);
  console.log('| backend | conv fwd GFLOP/s | conv fwd+bwd GFLOP/s | train step images/s |');
  console.log('|---|---|---|---|');
  for (const r of rows)
    console.log(`| ${r.backend} | ${r.convForwardGflops.toFixed(2)} | ${r.convForwardBackwardGflops.toFixed(2)} | ${r.trainImagesPerSec.toFixed(1)} |`);
  if (ratios)
    console.log(
      `wasm/cpu: conv fwd ${ratios.convForward.toFixed(1)}x, fwd+bwd ${ratios.convForwardBackward.toFixed(1)}x, train step ${ratios.trainStep.toFixed(1)}x`,
    );
  for (const s of skipped) console.log(`skipped ${s.backend}: ${s.reason}`);
}
