/**
 * Which stage of a cascade is its quality bottleneck? Runs a plan twice on the same seeds and
 * classes: as is, and with one stage's output (the first by default, or the stage at
 * resolution `at`) replaced by real test images of those classes, area-downsampled to its
 * resolution; prints FID and accuracy of both, and of the real images themselves at full
 * resolution. If "real low-res" is far better than "as is", the stages up to `at` are what to
 * improve; if it is not, the stages after it are.
 *
 *   npx tsx --conditions=@lowdiff/source tools/diagnostics/real-lowres.ts [plan] [count] [guidance] [at] [checkpoint]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import { downsampleArea, loadDataset, toTensor, upsample } from '@lowdiff/data';
import { loadShippedClassifier } from '@lowdiff/metrics';
import { classLabels, generate, loadModelForSampling, referenceFeatures, resolvePlan, score, sizeOptions, withGuidanceScale } from '@lowdiff/cli-kit';

const [planName = 'lowdiff-3', countArg = '500', guidanceArg = '2', atArg, checkpoint = 'apps/pixel/checkpoints/fmnist-lowdiff.safetensors'] = process.argv.slice(2);
const count = Number(countArg);
const batchSize = 50;
await initBackend({ backend: 'auto' });
const { model } = await loadModelForSampling(checkpoint);
const top = model.resolutions[model.resolutions.length - 1];
const plan = withGuidanceScale(resolvePlan(planName, top), Number(guidanceArg));
const at = atArg ? plan.stages.findIndex((s) => s.resolution === Number(atArg)) : 0;
if (at < 0 || at === plan.stages.length - 1) throw new Error(`--at ${atArg}: not a stage of ${planName} below the last`);
const r0 = plan.stages[at].resolution;
const test = await loadDataset('fashion-mnist', { split: 'test', ...sizeOptions(top) });
const { extractor } = await loadShippedClassifier('classifier-fmnist');
const ref = await referenceFeatures(extractor, test);

// The classes bench gives (cycling); each sample gets the next unused test image of its class.
const labels = classLabels('all', count, model.numClasses)!;
const next = new Map<number, number>();
const picked = labels.map((c) => {
  let j = next.get(c) ?? 0;
  while (test.labels[j] !== c) j++;
  next.set(c, j + 1);
  return j;
});
const realFull = toTensor(test, picked);
const realLow = downsampleArea(realFull, top / r0);

let batch = 0;
const base = { count, seed: 0, labels, batchSize };
const asIs = await generate(model, plan, base);
const withReal = await generate(model, plan, {
  ...base,
  // Called once per stage change; the call after stage `at` replaces that stage's output.
  resample: (previous, resolution, mode) => {
    if (resolution !== plan.stages[at + 1].resolution) return upsample(previous, resolution, mode);
    const start = batch++ * batchSize;
    const low = tf.slice(realLow, [start, 0, 0, 0], [previous.shape[0], r0, r0, previous.shape[3]]);
    const up = upsample(low, resolution, mode);
    low.dispose();
    return up;
  },
});
const real = { ...asIs, images: (await realFull.data()) as Float32Array };
for (const [name, g] of [['as is', asIs], ['real low-res', withReal], ['real images', real]] as const) {
  const s = await score(g, ref);
  console.log(`${planName} ${name}: FID ${s.fid.toFixed(3)}, KID ${s.kid.toFixed(4)}, accuracy ${((s.conditionalAccuracy ?? 0) * 100).toFixed(1)} %`);
}
tf.dispose([realFull, realLow]);
model.dispose();
