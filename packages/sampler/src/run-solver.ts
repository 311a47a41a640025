import type * as tf from '@tensorflow/tfjs';
import type { Denoiser, NoiseSource, SolverResult, StepCallback } from './denoiser';
import type { SolverName } from './cascade-plan';
import type { ChurnParams } from './churn-params';
import { sampleChurn } from './sample-churn';
import { sampleDpmpp2m } from './sample-dpmpp-2m';
import { sampleEuler } from './sample-euler';
import { sampleHeun } from './sample-heun';

/** Options of {@link runSolver}: what any of the solvers may need. */
export interface RunSolverOptions {
  callback?: StepCallback;
  /** Churn noise (solver 'churn' only). */
  noise?: NoiseSource;
  /** Churn parameters (solver 'churn' only); EDM's ImageNet-64 defaults when absent. */
  churn?: ChurnParams;
}

/** Runs the solver a plan names. */
export function runSolver(solver: SolverName, denoiser: Denoiser, x: tf.Tensor4D, sigmas: readonly number[], options: RunSolverOptions = {}): Promise<SolverResult> {
  const { callback } = options;
  switch (solver) {
    case 'euler':
      return sampleEuler(denoiser, x, sigmas, { callback });
    case 'heun':
      return sampleHeun(denoiser, x, sigmas, { callback });
    case 'dpmpp2m':
      return sampleDpmpp2m(denoiser, x, sigmas, { callback });
    case 'churn':
      return sampleChurn(denoiser, x, sigmas, { ...options.churn, noise: options.noise, callback });
  }
}
