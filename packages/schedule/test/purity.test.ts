import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index';

const srcDir = fileURLToPath(new URL('../src/', import.meta.url));

describe('package boundaries', () => {
  it('imports nothing but zod and its own files', () => {
    for (const file of readdirSync(srcDir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(srcDir + file, 'utf8');
      const specifiers = [...source.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
      for (const spec of specifiers) expect(spec === 'zod' || spec.startsWith('./'), `${file}: ${spec}`).toBe(true);
    }
  });

  it('exports the documented functions', () => {
    for (const name of [
      'karrasSigmas', 'vpLinearSigmas', 'vpCosineSigmas', 'flowTimes', 'shiftFlowTime',
      'edmPreconditioning', 'edmLossWeight', 'sampleTrainingSigma', 'trainingSigmaFromUniform',
      'logSigmaPdf', 'noiseParamsFor', 'conditionAugSigma', 'sigmaToAlphaBar', 'alphaBarToSigma',
      'sigmaToVp', 'vpToSigma', 'sigmaToLogSnr', 'logSnrToSigma', 'sigmaToFlowTime', 'flowTimeToSigma',
      'effectiveNfe', 'heunNfe', 'eulerNfe',
    ]) {
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
