// example.ts — from the repository root: npx tsx --conditions=@lowdiff/source packages/cli-kit/example.ts
import { initBackend } from '@lowdiff/backend';
import { generate, loadModelForSampling, resolvePlan, writeSamples } from '@lowdiff/cli-kit';

await initBackend({ backend: 'wasm' });
const { model } = await loadModelForSampling('apps/pixel/checkpoints/fmnist-lowdiff.safetensors');
const gen = await generate(model, resolvePlan('lowdiff-3', 32), { count: 20, seed: 0, labels: Array.from({ length: 20 }, (_, i) => i % 10), batchSize: 20, stripCount: 5 });
console.log(gen.nfe, gen.effectiveNfe.toFixed(2), await writeSamples('out/kit-example', gen, false));
