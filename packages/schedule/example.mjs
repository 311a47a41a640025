// example.mjs, shipped in the package: node node_modules/@lowdiff/schedule/example.mjs
// (in the repository, after npm run build: node packages/schedule/example.mjs)
import {
  edmLossWeight,
  edmPreconditioning,
  effectiveNfe,
  heunNfe,
  karrasSigmas,
  noiseParamsFor,
  sampleTrainingSigma,
  sigmaToFlowTime,
} from '@lowdiff/schedule';

// EDM sampling steps: [80, 57.59, ..., 0.002, 0]
const sigmas = karrasSigmas({ steps: 18 });
console.log(sigmas.length, sigmas[0], sigmas[1].toFixed(3), sigmas[17], sigmas[18]); // 19 80 57.586 0.002 0

// Preconditioning and loss weight at one noise level.
const { cSkip, cOut, cIn, cNoise } = edmPreconditioning(1.0);
console.log({ cSkip, cOut, cIn, cNoise, weight: edmLossWeight(1.0) });

// Training sigma for a 16x16 stage, from a standard normal draw z of your own RNG.
const table = [{ resolution: 8, pMean: -1.6 }, { resolution: 16, pMean: -1.4 }, { resolution: 32 }];
const z = 0.3;
console.log(sampleTrainingSigma(noiseParamsFor(16, table), z));

// The same noise level as a rectified-flow time.
console.log(sigmaToFlowTime(1.0)); // 0.5

// Cost of a cascade 8 -> 16 -> 32 in full-resolution calls.
const cost = effectiveNfe({
  flopsPerCall: { 8: 6.25, 16: 25, 32: 100 },
  fullResolution: 32,
  stages: [
    { resolution: 8, calls: heunNfe(9) },
    { resolution: 16, calls: heunNfe(6) },
    { resolution: 32, calls: heunNfe(4) },
  ],
});
console.log(cost.totalCalls, cost.total); // 35 10.8125
