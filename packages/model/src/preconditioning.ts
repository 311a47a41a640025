import { edmPreconditioning } from '@lowdiff/schedule';
import type { Ops, Value } from './ops';

/** EDM's per-sample coefficients, [N] each. */
export interface PreconditioningValues {
  cIn: Value;
  cSkip: Value;
  cOut: Value;
  cNoise: Value;
}

/** The coefficients for each sample's sigma as float32 vectors (what either interpreter is fed). */
export function preconditioningVectors(sigma: Float32Array, sigmaData: number): Record<keyof PreconditioningValues, Float32Array> {
  const coef = Array.from(sigma, (s) => edmPreconditioning(s, sigmaData));
  return {
    cIn: Float32Array.from(coef, (c) => c.cIn),
    cSkip: Float32Array.from(coef, (c) => c.cSkip),
    cOut: Float32Array.from(coef, (c) => c.cOut),
    cNoise: Float32Array.from(coef, (c) => c.cNoise),
  };
}

/**
 * EDM's preconditioning, per sample:
 *   D(x; sigma) = c_skip(sigma) x + c_out(sigma) F(c_in(sigma) x, c_noise(sigma))
 * with c_skip, c_out, c_in, c_noise from @lowdiff/schedule (see {@link preconditioningVectors}).
 * `network` receives the scaled input and c_noise [N] and returns F.
 */
export function precondition(ops: Ops, x: Value, c: PreconditioningValues, network: (scaledInput: Value, cNoise: Value) => Value): Value {
  const F = network(ops.scalePerSample(x, c.cIn), c.cNoise);
  return ops.add(ops.scalePerSample(x, c.cSkip), ops.scalePerSample(F, c.cOut));
}
