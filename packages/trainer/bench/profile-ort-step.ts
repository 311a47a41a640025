/**
 * Where an ONNX Runtime training step's time goes: one stage's training graph (REFERENCE_UNET_32,
 * random inputs, dropout on) run a few times in one session with ONNX Runtime's profiler on; the
 * last run's kernel time summed per op type.
 *
 *   npx tsx --conditions=@lowdiff/source packages/trainer/bench/profile-ort-step.ts [--resolution 32] [--batch 32] [--conditioned] [--threads 1]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { initBackend, Rng } from '@lowdiff/backend';
import { EdmDenoiser, exportTrainingGraph, REFERENCE_UNET_32, trainingFeeds, type TrainingSlice } from '@lowdiff/model';

const { values: args } = parseArgs({
  options: {
    resolution: { type: 'string', default: '32' },
    batch: { type: 'string', default: '32' },
    conditioned: { type: 'boolean', default: false },
    threads: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: profile-ort-step.ts [--resolution 32] [--batch 32] [--conditioned] [--threads 1]');
  process.exit(0);
}
await initBackend({ backend: 'cpu' });
const model = new EdmDenoiser(REFERENCE_UNET_32, 0);
const [r, n] = [Number(args.resolution), Number(args.batch)];
const rng = new Rng(1);
const draw = (k: number, scale = 1) => Float32Array.from({ length: k }, () => rng.normal() * scale);
const size = n * r * r * model.channels;
const slice: TrainingSlice = {
  resolution: r,
  channels: model.channels,
  start: 0,
  count: n,
  total: n,
  y: draw(size, 0.5),
  noise: draw(size),
  sigma: Float32Array.from({ length: n }, () => Math.exp(rng.normal() * 1.2 - 1.2)),
  condition: args.conditioned ? draw(size, 0.5) : null,
  sigmaAug: args.conditioned ? Float32Array.from({ length: n }, () => rng.uniform()) : null,
  labels: Int32Array.from({ length: n }, (_, i) => i % 10),
  lossWeight: 1,
  maskSeed: 1,
};
const graph = exportTrainingGraph(model, r);
const dir = mkdtempSync(join(tmpdir(), 'ort-profile-'));
const session = await ort.InferenceSession.create(graph.bytes, {
  intraOpNumThreads: Number(args.threads),
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  enableProfiling: true,
  profileFilePrefix: join(dir, 'step'),
});
const feeds: Record<string, ort.Tensor> = {};
for (const [k, f] of Object.entries(trainingFeeds(model, graph, slice))) feeds[k] = f.data instanceof Int32Array ? new ort.Tensor('int32', f.data, f.dims) : new ort.Tensor('float32', f.data, f.dims);
const byName = new Map(model.store.entries());
for (const w of graph.weights) feeds[w.name] = new ort.Tensor('float32', byName.get(w.name)!.dataSync() as Float32Array, w.shape);
for (let i = 0; i < 3; i++) await session.run(feeds);
await session.release(); // writes the profile

interface Event {
  cat?: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string };
}
const events = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8')) as Event[];
rmSync(dir, { recursive: true });
const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
const last = runs[runs.length - 1];
const perOp = new Map<string, { ms: number; nodes: number }>();
for (const e of events)
  if (e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.ts >= last.ts && e.ts <= last.ts + last.dur) {
    const op = perOp.get(e.args?.op_name ?? '?') ?? { ms: 0, nodes: 0 };
    op.ms += e.dur / 1000;
    op.nodes++;
    perOp.set(e.args?.op_name ?? '?', op);
  }
const total = [...perOp.values()].reduce((a, o) => a + o.ms, 0);
console.log(`stage ${r}${args.conditioned ? ' conditioned' : ''}, batch ${n}, ${args.threads} thread(s): runs ${runs.map((e) => (e.dur / 1000).toFixed(0)).join(' / ')} ms, last run's kernel time ${total.toFixed(1)} ms over ${[...perOp.values()].reduce((a, o) => a + o.nodes, 0)} nodes`);
console.log('| op | ms | share | nodes |\n|---|---|---|---|');
for (const [op, o] of [...perOp].sort((a, b) => b[1].ms - a[1].ms)) console.log(`| ${op} | ${o.ms.toFixed(1)} | ${((100 * o.ms) / total).toFixed(1)} % | ${o.nodes} |`);
