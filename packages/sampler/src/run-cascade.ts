import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { effectiveNfe, karrasSigmas } from '@lowdiff/schedule';
import { checkPlanForModel, parseCascadePlan, type CascadePlan, type ResolvedCascadePlan, type ResolvedCascadeStage, type SolverName } from './cascade-plan';
import type { Denoiser, StepInfo } from './denoiser';
import { withBatchedGuidance, withGuidance } from './guidance';
import { runSolver } from './run-solver';
import { NOISE_PURPOSE, perSampleNoise, sampleStreams, type NoisePurpose } from './sample-noise';
import { CascadePlanError, SamplerError } from './sampler-error';
import type { SamplingDenoiser } from './types';
import { upsample, type UpsampleMethod } from './upsample';

/** What {@link runCascade} reports after each stage. */
export interface StageInfo {
  stageIndex: number;
  resolution: number;
  /** The stage's output [count, r, r, C]; valid during the callback only (clone it to keep it). */
  images: tf.Tensor4D;
  /** Network evaluations per image in this stage. */
  nfe: number;
  wallMs: number;
}

/** What {@link runCascade} reports after each solver step. */
export interface CascadeStepInfo extends StepInfo {
  stageIndex: number;
  resolution: number;
  /** Steps of this stage. */
  steps: number;
}

/** Options of {@link runCascade}. */
export interface RunCascadeOptions {
  /** Images to generate, in one batch. */
  count: number;
  /** Seed of every random draw (an integer; it is used modulo 2^32). */
  seed: number;
  /** One label per image, for a class-conditional model; `numClasses` is the null class. */
  classLabels?: readonly number[];
  /**
   * Index of the first image: image i of this call is sample firstIndex + i, so generating 0..7 in
   * one call or as 0..2 and 3..7 gives the same images. Default 0.
   */
  firstIndex?: number;
  /**
   * How guided steps call the network: 'batched' (default) in one call of doubled batch,
   * 'separate' in two calls. Same result and the same NFE; batched has less per-call overhead.
   */
  guidanceBatching?: 'batched' | 'separate';
  /**
   * Replaces the upsampling of the previous stage's output to the next resolution, e.g. to do it
   * in pixel space for a latent model (decode, resize, encode). Default: `upsample` with the
   * stage's `upsample` mode. Must return a new tensor of [count, resolution, resolution, C].
   */
  resample?: (previous: tf.Tensor4D, resolution: number, mode: UpsampleMethod) => tf.Tensor4D;
  /** Called after each stage; awaited when it returns a promise. */
  onStage?: (info: StageInfo) => void | Promise<void>;
  /** Called after each solver step (tensors valid during the call only). */
  onStep?: (info: CascadeStepInfo) => void;
}

const RunOptionsSchema = z.object({
  count: z.number().int('must be an integer').min(1, 'must be >= 1'),
  seed: z.number().int('must be an integer'),
  classLabels: z.array(z.number().int('must be an integer').min(0, 'must be >= 0')).optional(),
  firstIndex: z.number().int('must be an integer').min(0, 'must be >= 0').default(0),
  guidanceBatching: z.enum(['batched', 'separate']).default('batched'),
});
type ResolvedRunOptions = z.output<typeof RunOptionsSchema>;

/** One stage's report. */
export interface StageReport {
  stageIndex: number;
  resolution: number;
  steps: number;
  solver: SolverName;
  /** The stage's noise levels, N + 1 entries ending in 0. */
  sigmas: number[];
  /** Network evaluations per image (a guided step counts 2). */
  nfe: number;
  /** This stage's share of the effective NFE: nfe * FLOPs(r) / FLOPs(final resolution). */
  effectiveNfe: number;
  wallMs: number;
}

/** Result of {@link runCascade}. */
export interface CascadeResult {
  /** The final images [count, r, r, C], owned by the caller. */
  images: tf.Tensor4D;
  stages: StageReport[];
  /** Network evaluations per image over all stages. */
  nfe: number;
  /** Cost in calls at the final stage's resolution (`effectiveNfe` of @lowdiff/schedule). */
  effectiveNfe: number;
  /** The resolution whose call counts 1 in `effectiveNfe`: the last stage's. */
  fullResolution: number;
  /** Sum of the stages' wall times (callbacks excluded). */
  wallMs: number;
  /** The plan with defaults filled in. */
  plan: ResolvedCascadePlan;
}

/**
 * Samples a cascade plan with a unified model, whose `denoise` may answer synchronously or with a
 * promise (a {@link SamplingDenoiser}, e.g. an ONNX Runtime session).
 *
 * Stage 1 solves from sigma_max noise at its resolution without a condition. Each later stage
 * upsamples the previous output (`up`), conditions on `up + sigmaAug * noise`, and starts from
 * `sigmaMax * noise` or, with `start: { kind: 'upsampled', sigmaStart }`, from
 * `up + sigmaStart * noise` along the Karras list rebuilt with sigmaMax = sigmaStart. Every draw for
 * image i comes from `Rng.derive(seed, firstIndex + i, stageIndex, purpose)` (see `NOISE_PURPOSE`),
 * so an image depends only on (seed, index), not on the batch.
 *
 * @throws {@link CascadePlanError} for a bad plan, a plan the model cannot run, or bad options
 */
export async function runCascade(model: SamplingDenoiser, plan: CascadePlan, options: RunCascadeOptions): Promise<CascadeResult> {
  const resolved = parseCascadePlan(plan);
  checkPlanForModel(resolved, model);
  const opts = parseRunOptions(options, model, resolved);
  const labels = opts.classLabels ? tf.tensor1d(opts.classLabels as number[], 'int32') : null;
  const stages: StageReport[] = [];
  let previous: tf.Tensor4D | null = null;
  try {
    for (let s = 0; s < resolved.stages.length; s++) {
      const stage = resolved.stages[s];
      const started = performance.now();
      const sigmas = stageSigmas(stage);
      const { x, nfe } = await runStage(model, stage, s, sigmas, previous, labels, opts, options.onStep, options.resample ?? upsample);
      previous?.dispose();
      previous = x;
      // Reading the result waits for asynchronous backends (webgl, webgpu) to finish the stage.
      const values = await x.data();
      const wallMs = performance.now() - started;
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0)
        throw new SamplerError(
          `stage ${s} (${stage.resolution}x${stage.resolution}) produced ${values[bad]} for image ${opts.firstIndex + Math.floor(bad / (values.length / opts.count))}: the model outputs non-finite values (damaged or diverged weights?)`,
        );
      stages.push({ stageIndex: s, resolution: stage.resolution, steps: stage.steps, solver: stage.solver, sigmas, nfe, effectiveNfe: 0, wallMs });
      await options.onStage?.({ stageIndex: s, resolution: stage.resolution, images: x, nfe, wallMs });
    }
  } catch (error) {
    previous?.dispose();
    throw error;
  } finally {
    labels?.dispose();
  }

  const fullResolution = resolved.stages[resolved.stages.length - 1].resolution;
  const cost = effectiveNfe({
    flopsPerCall: Object.fromEntries(stages.map((s) => [s.resolution, model.flopsPerCall(s.resolution)])),
    fullResolution,
    stages: stages.map((s) => ({ resolution: s.resolution, calls: s.nfe })),
  });
  stages.forEach((s, i) => (s.effectiveNfe = cost.perStage[i].effective));
  return {
    images: previous as tf.Tensor4D,
    stages,
    nfe: cost.totalCalls,
    effectiveNfe: cost.total,
    fullResolution,
    wallMs: stages.reduce((sum, s) => sum + s.wallMs, 0),
    plan: resolved,
  };
}

/**
 * A stage's noise levels: the Karras list of its schedule, or for an `upsampled` start the list
 * rebuilt from sigmaStart (karrasSigmas with sigmaMax = sigmaStart), so all N steps are spent below
 * sigmaStart with the usual rho spacing. (Truncating the full list instead would waste the steps
 * above sigmaStart.)
 */
export function stageSigmas(stage: ResolvedCascadeStage): number[] {
  const { sigmaMin, sigmaMax, rho } = stage.schedule;
  const top = stage.start.kind === 'upsampled' ? stage.start.sigmaStart : sigmaMax;
  return karrasSigmas({ steps: stage.steps, sigmaMin, sigmaMax: top, rho });
}

async function runStage(
  model: SamplingDenoiser,
  stage: ResolvedCascadeStage,
  stageIndex: number,
  sigmas: number[],
  previous: tf.Tensor4D | null,
  labels: tf.Tensor1D | null,
  opts: ResolvedRunOptions,
  onStep: RunCascadeOptions['onStep'],
  resample: NonNullable<RunCascadeOptions['resample']>,
): Promise<{ x: tf.Tensor4D; nfe: number }> {
  const { count } = opts;
  const { resolution } = stage;
  const shape = [count, resolution, resolution, model.channels];
  const noise = (purpose: NoisePurpose) => perSampleNoise(sampleStreams(opts.seed, opts.firstIndex, count, stageIndex, purpose));
  const owned: tf.Tensor[] = [];
  const own = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
  try {
    const up = previous ? own(tf.tidy(() => resample(previous, resolution, stage.upsample))) : null;
    const condition = up && stage.conditioned
      ? own(tf.tidy(() => tf.add(up, tf.mul(noise(NOISE_PURPOSE.conditionAug)(shape), stage.sigmaAug)) as tf.Tensor4D))
      : null;
    const x = own(
      tf.tidy(() => {
        const eps = noise(NOISE_PURPOSE.start)(shape);
        return (stage.start.kind === 'upsampled' && up ? tf.add(up, tf.mul(eps, stage.start.sigmaStart)) : tf.mul(eps, sigmas[0])) as tf.Tensor4D;
      }),
    );

    // Count at the network, below guidance: a doubled-batch call adds 2 per image.
    let evaluated = 0;
    const network = (conditionInput: tf.Tensor4D | null, classLabels: tf.Tensor1D | null): Denoiser => (xs, sigma) => {
      evaluated += xs.shape[0];
      return model.denoise(xs, sigma, { resolution, condition: conditionInput, sigmaAug: condition ? stage.sigmaAug : undefined, classLabels });
    };
    let denoiser = network(condition, labels);
    if (stage.guidance && stage.guidance.scale !== 1) {
      const nullLabels = own(tf.fill([count], model.numClasses, 'int32') as tf.Tensor1D);
      if (opts.guidanceBatching === 'batched') {
        const bothLabels = own(tf.concat([labels as tf.Tensor1D, nullLabels]));
        const bothCondition = condition ? own(tf.concat([condition, condition])) : null;
        denoiser = withBatchedGuidance({ cond: denoiser, both: network(bothCondition, bothLabels) }, stage.guidance);
      } else {
        denoiser = withGuidance(denoiser, network(condition, nullLabels), stage.guidance);
      }
    }

    const callback = onStep ? (info: StepInfo) => onStep({ ...info, stageIndex, resolution, steps: stage.steps }) : undefined;
    // Awaited inside the try: the owned tensors must outlive every (possibly asynchronous) call.
    const result = await runSolver(stage.solver, denoiser, x, sigmas, { callback, churn: stage.churn, noise: noise(NOISE_PURPOSE.churn) });
    return { x: result.x, nfe: evaluated / count };
  } finally {
    owned.forEach((t) => t.dispose());
  }
}

function parseRunOptions(options: RunCascadeOptions, model: SamplingDenoiser, plan: ResolvedCascadePlan): ResolvedRunOptions {
  const parsed = RunOptionsSchema.safeParse({
    count: options?.count,
    seed: options?.seed,
    classLabels: options?.classLabels ? [...options.classLabels] : undefined,
    firstIndex: options?.firstIndex,
    guidanceBatching: options?.guidanceBatching,
  });
  if (!parsed.success) throw new CascadePlanError('RunCascadeOptions', parsed.error.issues);
  const opts = parsed.data;
  const problems: string[] = [];
  if (opts.classLabels) {
    if (model.numClasses === 0) problems.push('classLabels: the model is unconditional (numClasses 0)');
    if (opts.classLabels.length !== opts.count) problems.push(`classLabels: has ${opts.classLabels.length} labels for count ${opts.count}`);
    const bad = opts.classLabels.findIndex((l) => l > model.numClasses);
    if (bad >= 0) problems.push(`classLabels.${bad}: ${opts.classLabels[bad]} is above the null class ${model.numClasses}`);
  } else {
    const guided = plan.stages.findIndex((s) => s.guidance && s.guidance.scale !== 1);
    if (guided >= 0) problems.push(`classLabels: required by the guidance of stages.${guided}`);
  }
  if (problems.length > 0) throw new CascadePlanError('RunCascadeOptions', problems.join('; '));
  return opts;
}
