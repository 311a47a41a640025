// example.mjs, shipped in the package: node node_modules/@lowdiff/cli-kit/example.mjs
// (in the repository, after npm run build: node packages/cli-kit/example.mjs)
import { initBackend } from '@lowdiff/backend';
import { generate, loadModelForSampling, resolvePlan, writeSamples } from '@lowdiff/cli-kit';

await initBackend({ backend: 'wasm' });
// The checkpoint apps/pixel ships, or any other: node example.mjs <file.safetensors>
const checkpoint = process.argv[2] ?? 'apps/pixel/checkpoints/fmnist-lowdiff.safetensors';
const { model } = await loadModelForSampling(checkpoint);
const gen = await generate(model, resolvePlan('lowdiff-3', 32), { count: 20, seed: 0, labels: Array.from({ length: 20 }, (_, i) => i % 10), batchSize: 20, stripCount: 5 });
console.log(gen.nfe, gen.effectiveNfe.toFixed(2), await writeSamples('out/kit-example', gen, false));
