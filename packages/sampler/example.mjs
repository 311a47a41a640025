// example.mjs, shipped in the package: node node_modules/@lowdiff/sampler/example.mjs
// (in the repository, after npm run build: node packages/sampler/example.mjs)
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { karrasSigmas } from '@lowdiff/schedule';
import { cascadePlan, countCalls, runCascade, sampleHeun, withGuidance } from '@lowdiff/sampler';

await initBackend({ backend: 'wasm' });

// 1. A solver over any EDM denoiser (synchronous, or answering with a promise). For data ~ N(mu, s^2)
//    the exact denoiser is D(x; sigma) = mu + s^2 / (s^2 + sigma^2) (x - mu).
const gaussian = (mu, s) => (x, sigma) =>
  tf.tidy(() => tf.add(mu, tf.mul(tf.sub(x, mu), (s * s) / (s * s + sigma * sigma))));
const noise = tf.mul(new Rng(0).normalTensor([2000, 1, 1, 1]), 80);
const { x, nfe } = await sampleHeun(gaussian(0.3, 0.5), noise, karrasSigmas({ steps: 18 }));
const { mean, variance } = tf.moments(x);
console.log(`Heun, 18 steps (data: mean 0.3, std 0.5): NFE ${nfe}, mean ${mean.dataSync()[0].toFixed(3)}, std ${Math.sqrt(variance.dataSync()[0]).toFixed(3)}`);

// 2. Classifier-free guidance, counting network calls below the guidance wrapper.
const cond = countCalls(gaussian(0.5, 0.2));
const uncond = countCalls(gaussian(0, 0.2));
const guided = await sampleHeun(withGuidance(cond.denoiser, uncond.denoiser, { scale: 2, interval: [0.1, 10] }), noise, karrasSigmas({ steps: 18 }));
console.log(`guided: solver NFE ${guided.nfe}, network calls ${cond.calls} + ${uncond.calls}`);

// 3. A cascade 8 -> 16 -> 32 over a unified model. This toy model keeps the condition and adds
//    Gaussian detail; @lowdiff/model's UNet implements the same interface, and so may a model
//    whose denoise returns a promise (a SamplingDenoiser, e.g. an ONNX Runtime session).
const toyModel = {
  resolutions: [8, 16, 32],
  channels: 3,
  numClasses: 0,
  sigmaData: 0.5,
  denoise: (xs, sigma, call) =>
    tf.tidy(() => {
      const m = call.condition ?? tf.zerosLike(xs);
      return tf.add(m, tf.mul(tf.sub(xs, m), 0.04 / (0.04 + (sigma) ** 2)));
    }),
  flopsPerCall: (r) => r * r * 1e6,
};
const plan = cascadePlan([8, 16, 32], [12, 4, 2], { start: { kind: 'upsampled', sigmaStart: 1 } });
const result = await runCascade(toyModel, plan, {
  count: 4,
  seed: 42,
  onStage: ({ stageIndex, resolution, nfe, wallMs }) => console.log(`  stage ${stageIndex} @${resolution}: NFE ${nfe}, ${wallMs.toFixed(1)} ms`),
});
console.log(`cascade: images [${result.images.shape}], NFE ${result.nfe}, effective NFE ${result.effectiveNfe.toFixed(3)}`);
tf.dispose([noise, x, mean, variance, guided.x, result.images]);
