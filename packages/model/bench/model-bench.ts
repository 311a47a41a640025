/**
 * Forward images/s of the reference configs at each stage resolution, measured side by side in
 * one run, with FLOPs and the speed ratios between resolutions.
 *
 *   npm run bench -w @lowdiff/model [-- --backend wasm --batch 32 --json]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { initBackend, Rng } from '@lowdiff/backend';
import { EdmDenoiser, REFERENCE_DIT_LATENT, REFERENCE_UNET_32, type ModelConfigInput } from '../src';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    batch: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: model-bench [--backend wasm] [--batch 32] [--rounds 3] [--json]');
  process.exit(0);
}
const info = await initBackend({ backend: args.backend as 'wasm' });
const batch = Number(args.batch);
const rounds = Number(args.rounds);

async function bench(name: string, config: ModelConfigInput) {
  const model = new EdmDenoiser(config);
  const rng = new Rng(0);
  const rs = model.resolutions;
  const inputs = rs.map((r) => {
    const x = rng.normalTensor([batch, r, r, model.channels]) as tf.Tensor4D;
    const labels = model.numClasses > 0 ? tf.tensor1d(Array.from({ length: batch }, (_, i) => i % model.numClasses), 'int32') : null;
    return { r, x, call: { resolution: r, condition: r === rs[0] ? null : x, sigmaAug: 0.05, classLabels: labels } };
  });
  const ms = new Map<number, number>(rs.map((r) => [r, 0]));
  const run = async (i: (typeof inputs)[number]) => {
    const y = model.denoise(i.x, 1.0, i.call);
    await y.data();
    y.dispose();
  };
  for (const i of inputs) await run(i); // warm-up
  // Interleave resolutions so that machine noise hits them alike.
  for (let k = 0; k < rounds; k++)
    for (const i of inputs) {
      const t0 = performance.now();
      await run(i);
      ms.set(i.r, ms.get(i.r)! + performance.now() - t0);
    }
  const top = rs[rs.length - 1];
  const ips = (r: number) => (batch * rounds * 1000) / ms.get(r)!;
  const rows = rs.map((r) => ({
    resolution: r,
    mflopsPerImage: model.flopsPerCall(r) / 1e6,
    flopsRelative: model.flopsPerCall(r) / model.flopsPerCall(top),
    imagesPerSec: ips(r),
    speedupOverTop: ips(r) / ips(top),
  }));
  const out = { model: name, parameters: model.parameterCount(), rows };
  tf.dispose(inputs.flatMap((i) => [i.x, ...(i.call.classLabels ? [i.call.classLabels] : [])]));
  model.dispose();
  return out;
}

const results = [await bench('REFERENCE_UNET_32', REFERENCE_UNET_32), await bench('REFERENCE_DIT_LATENT', REFERENCE_DIT_LATENT)];
if (args.json) console.log(JSON.stringify({ backend: info.backend, batch, rounds, results }, null, 2));
else {
  console.log(`backend ${info.backend}, batch ${batch}, ${rounds} interleaved rounds`);
  for (const r of results) {
    console.log(`\n${r.model} (${r.parameters.toLocaleString('en-US')} parameters)`);
    console.log('| resolution | MFLOP/image | FLOPs vs full | images/s | speed vs full |');
    console.log('|---|---|---|---|---|');
    for (const x of r.rows)
      console.log(`| ${x.resolution} | ${x.mflopsPerImage.toFixed(1)} | ${x.flopsRelative.toFixed(3)} | ${x.imagesPerSec.toFixed(1)} | ${x.speedupOverTop.toFixed(2)}x |`);
  }
}
