import type { SamplingDenoiser } from '@lowdiff/model';
import { checkPlanAgainstTraining, runCascade, type ResolvedCascadePlan } from '@lowdiff/sampler';

/** One stage's output for every image, NHWC floats in [-1, 1]. */
export interface StageImages {
  stageIndex: number;
  resolution: number;
  images: Float32Array;
  nfe: number;
  wallMs: number;
}

/** What a run of a plan in the page made, and what it cost. */
export interface PageRun {
  plan: string;
  count: number;
  resolution: number;
  channels: number;
  labels: number[] | undefined;
  /** Final images, NHWC floats in [-1, 1]. */
  images: Float32Array;
  stages: StageImages[];
  nfe: number;
  effectiveNfe: number;
  /** Wall time of the whole run, as the page saw it (drawing excluded). */
  wallMs: number;
  imagesPerSec: number;
  /** Where the plan leaves what the model was trained for, short of an error (which stops the run). */
  warnings: string[];
}

/** Labels like the CLI's `--class`: 'all' cycles through the classes, a number repeats that class. */
export function pageLabels(spec: string, count: number, numClasses: number): number[] | undefined {
  if (numClasses === 0) return undefined;
  if (spec === 'all') return Array.from({ length: count }, (_, i) => i % numClasses);
  return Array.from({ length: count }, () => Number(spec));
}

/**
 * Runs a plan with the sampler's own cascade runner, in one batch, handing each stage's output
 * to `onStage` as soon as it exists (the time spent there is not counted).
 */
export async function runPlan(
  denoiser: SamplingDenoiser,
  plan: ResolvedCascadePlan,
  o: { count: number; seed: number; labels?: number[]; onStage?: (stage: StageImages) => void | Promise<void> },
): Promise<PageRun> {
  // As the CLIs do: a plan outside what the checkpoint was trained for stops, or runs with a warning.
  const findings = denoiser.trainedFor ? checkPlanAgainstTraining(plan, denoiser.trainedFor) : [];
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) throw new Error(`plan ${plan.name ?? 'plan'} does not fit what the model was trained for: ${errors.map((e) => e.message).join('; ')}`);
  const stages: StageImages[] = [];
  let outside = 0;
  const t0 = performance.now();
  const result = await runCascade(denoiser, plan, {
    count: o.count,
    seed: o.seed,
    classLabels: o.labels,
    onStage: async (info) => {
      const t = performance.now();
      const stage = { stageIndex: info.stageIndex, resolution: info.resolution, images: (await info.images.data()) as Float32Array, nfe: info.nfe, wallMs: info.wallMs };
      stages.push(stage);
      await o.onStage?.(stage);
      outside += performance.now() - t;
    },
  });
  const images = (await result.images.data()) as Float32Array;
  const wallMs = performance.now() - t0 - outside;
  const [, resolution, , channels] = result.images.shape;
  result.images.dispose();
  return {
    plan: plan.name ?? 'plan',
    count: o.count,
    resolution,
    channels,
    labels: o.labels,
    images,
    stages,
    nfe: result.nfe,
    effectiveNfe: result.effectiveNfe,
    wallMs,
    imagesPerSec: (o.count * 1000) / wallMs,
    warnings: findings.map((f) => f.message),
  };
}
