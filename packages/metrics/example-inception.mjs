// example-inception.mjs, shipped in the package, with weights converted by tools/convert_pt_inception.py:
//   node node_modules/@lowdiff/metrics/example-inception.mjs inception-v3-fid.safetensors
import { initBackend, Rng } from '@lowdiff/backend';
import { collectFeatures, formatScore, inceptionScore, loadInceptionV3 } from '@lowdiff/metrics';

await initBackend({ backend: 'wasm' });
const inception = await loadInceptionV3(process.argv[2] ?? 'inception-v3-fid.safetensors');
console.log(inception.name, inception.featureDim, inception.numClasses, inception.metadata.source);

// Any size works: 32x32 images in [-1, 1] are resized to 299x299 inside (bilinear, half-pixel centres).
function* batches() {
  const rng = new Rng(0);
  for (let i = 0; i < 2; i++) yield rng.uniformTensor([4, 32, 32, 3], -1, 1);
}
const t0 = performance.now();
const { stats, logits } = await collectFeatures(inception, batches(), { keepLogits: true, disposeInputs: true });
console.log(`${stats.count} images in ${((performance.now() - t0) / 1000).toFixed(1)} s; mean feature ${(stats.mean().reduce((a, b) => a + b) / 2048).toFixed(4)}`);
console.log(formatScore(inceptionScore(logits, { splits: 2 })));
inception.dispose();
