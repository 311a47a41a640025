/**
 * Seconds per 299x299 image of the FID Inception-v3, and the load time of its weights.
 * Without a weights file it uses random weights of the right shapes (same cost).
 *
 *   npx tsx --conditions=@lowdiff/source bench/inception-bench.ts [--weights file.safetensors] [--backend wasm] [--batch 8] [--rounds 3]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { loadInceptionV3 } from '../src';
import { encodeSafetensorsF32, randomInceptionStateDict } from '../test/inception-helpers';

const { values: args } = parseArgs({
  options: {
    weights: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    batch: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
  },
});
await initBackend({ backend: args.backend as 'wasm' });
const dir = await mkdtemp(join(tmpdir(), 'inception-bench-'));
let path = args.weights;
if (path === undefined) {
  path = join(dir, 'random.safetensors');
  await writeFile(path, encodeSafetensorsF32(randomInceptionStateDict(0)));
}

let t0 = performance.now();
const extractor = await loadInceptionV3(path);
console.log(`load ${path}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);

async function perImage(batch: number, rounds: number): Promise<number> {
  const x = new Rng(batch).uniformTensor([batch, 299, 299, 3], -1, 1) as tf.Tensor4D;
  let ms = 0;
  for (let r = 0; r < rounds; r++) {
    t0 = performance.now();
    const { features, logits } = extractor.features(x);
    await features.data();
    ms += performance.now() - t0;
    tf.dispose([features, logits!]);
  }
  x.dispose();
  return ms / rounds / batch / 1000;
}

console.log(`backend ${tf.getBackend()}; first call (warm-up) ${(await perImage(1, 1)).toFixed(2)} s`);
for (const batch of [1, Number(args.batch)]) console.log(`batch ${batch}: ${(await perImage(batch, Number(args.rounds))).toFixed(3)} s per 299x299 image`);
extractor.dispose();
await rm(dir, { recursive: true, force: true });
