import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { scopedCall, type Denoiser } from './denoiser';
import { SamplerError } from './sampler-error';

/**
 * Classifier-free guidance settings. `scale` w: D = D_u + w (D_c - D_u); 1 is the conditional
 * model alone (one call), 0 the unconditional. `interval` [sigmaLo, sigmaHi] limits guidance to
 * those noise levels (Kynkaanniemi et al. 2024: guiding only in the middle of the schedule keeps
 * diversity); outside it, and always when scale is 1, only the conditional model runs.
 */
export const GuidanceSchema = z.object({
  scale: z.number().min(0, 'must be >= 0'),
  interval: z
    .tuple([z.number().min(0, 'must be >= 0'), z.number().min(0, 'must be >= 0')])
    .refine(([lo, hi]) => lo < hi, { message: 'must be [sigmaLo, sigmaHi] with sigmaLo < sigmaHi' })
    .optional(),
});

/** Guidance settings as callers pass them. */
export type Guidance = z.input<typeof GuidanceSchema>;

/** Whether guidance makes the unconditional call at `sigma` (the interval is inclusive). */
export function guidanceActive(guidance: Guidance, sigma: number): boolean {
  if (guidance.scale === 1) return false;
  return !guidance.interval || (sigma >= guidance.interval[0] && sigma <= guidance.interval[1]);
}

/**
 * Classifier-free guidance from two denoisers: D = D_u + w (D_c - D_u) where guidance is active,
 * D_c elsewhere. An active step costs two network calls; count them with `countCalls` on each
 * argument (a solver's own `nfe` counts calls of the guided denoiser).
 */
export function withGuidance(cond: Denoiser, uncond: Denoiser, guidance: Guidance): Denoiser {
  const g = parseGuidance(guidance);
  return async (x, sigma) => {
    if (!guidanceActive(g, sigma)) return scopedCall(cond, x, sigma);
    const c = await scopedCall(cond, x, sigma);
    try {
      const u = await scopedCall(uncond, x, sigma);
      try {
        return tf.tidy(() => combine(c, u, g.scale));
      } finally {
        u.dispose();
      }
    } finally {
      c.dispose();
    }
  };
}

/** The network of {@link withBatchedGuidance}: one call of doubled batch, or a plain conditional call. */
export interface BatchedGuidanceNet {
  /** D_c(x; sigma) on the N images. */
  cond: Denoiser;
  /**
   * D on the doubled batch [x; x] (2N images): rows 0..N-1 conditional, rows N..2N-1
   * unconditional (e.g. the null class), in that order.
   */
  both: Denoiser;
}

/**
 * Classifier-free guidance that evaluates the conditional and unconditional halves in one call
 * of doubled batch: the same result as {@link withGuidance}, but one larger call instead of two,
 * which is cheaper where per-call overhead matters (wasm, small images). Per image it is still
 * two network evaluations.
 */
export function withBatchedGuidance(net: BatchedGuidanceNet, guidance: Guidance): Denoiser {
  const g = parseGuidance(guidance);
  return async (x, sigma) => {
    if (!guidanceActive(g, sigma)) return scopedCall(net.cond, x, sigma);
    const n = x.shape[0];
    const doubled = tf.concat([x, x], 0) as tf.Tensor4D;
    let out: tf.Tensor4D;
    try {
      out = await scopedCall(net.both, doubled, sigma);
    } finally {
      doubled.dispose();
    }
    try {
      if (out.shape[0] !== 2 * n) {
        throw new SamplerError(`withBatchedGuidance: the doubled-batch call returned ${out.shape[0]} images for ${2 * n}`);
      }
      return tf.tidy(() => {
        const [c, u] = tf.split(out, 2, 0) as [tf.Tensor4D, tf.Tensor4D];
        return combine(c, u, g.scale);
      });
    } finally {
      out.dispose();
    }
  };
}

function combine(c: tf.Tensor4D, u: tf.Tensor4D, scale: number): tf.Tensor4D {
  return tf.add(u, tf.mul(tf.sub(c, u), scale));
}

function parseGuidance(guidance: Guidance): Guidance {
  const parsed = GuidanceSchema.safeParse(guidance);
  if (!parsed.success) {
    throw new SamplerError(`Invalid Guidance: ${parsed.error.issues.map((e) => `${e.path.join('.') || '(root)'}: ${e.message}`).join('; ')}`);
  }
  return parsed.data;
}
