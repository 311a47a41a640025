import { z } from 'zod';
import { parseParams, StepsSchema } from './params';

// Rectified flow: x_t = (1 - t) x0 + t eps, t = 1 is pure noise. The time shift
// (SD3, LightningDiT) spends more steps at high noise, where large images need them
// because their pixels are correlated and stay recognisable under more noise.

/** Shift factor s > 0 of the flow time shift; 1 is the identity, s > 1 moves times toward noise. */
export const FlowShiftSchema = z.number().positive('must be > 0');

/** Parameters of {@link flowTimes}. */
export const FlowTimeParamsSchema = z.object({
  /** Number of sampling steps N; the result has N + 1 entries. */
  steps: StepsSchema,
  shift: FlowShiftSchema.default(1),
});

/** What callers pass to {@link flowTimes} (defaults optional). */
export type FlowTimeParams = z.input<typeof FlowTimeParamsSchema>;

const FlowTimeSchema = z.number().min(0, 'must be >= 0').max(1, 'must be <= 1');

/**
 * Time shift t' = s t / (1 + (s - 1) t). Maps [0, 1] onto itself, keeps 0 and 1 fixed,
 * and is monotone; s > 1 raises every interior t.
 *
 * @param t - flow time in [0, 1]
 * @param shift - s > 0
 */
export function shiftFlowTime(t: number, shift: number): number {
  parseParams(z.object({ t: FlowTimeSchema, shift: FlowShiftSchema }), { t, shift }, 'shiftFlowTime');
  return applyShift(t, shift);
}

/**
 * Inverse of {@link shiftFlowTime}: t = t' / (s - (s - 1) t'), which is the same
 * shift with factor 1/s.
 */
export function unshiftFlowTime(shifted: number, shift: number): number {
  parseParams(z.object({ shifted: FlowTimeSchema, shift: FlowShiftSchema }), { shifted, shift }, 'unshiftFlowTime');
  return applyShift(shifted, 1 / shift);
}

function applyShift(t: number, shift: number): number {
  return (shift * t) / (1 + (shift - 1) * t);
}

/**
 * Rectified-flow sampling times: N + 1 values uniform from 1 down to 0, each passed
 * through {@link shiftFlowTime}. Both ends stay exactly 1 and 0.
 *
 * @returns `[1, ..., 0]`, strictly decreasing, N + 1 entries.
 * @throws {@link ScheduleParamError} on bad parameters.
 */
export function flowTimes(params: FlowTimeParams): number[] {
  const { steps, shift } = parseParams(FlowTimeParamsSchema, params, 'FlowTimeParams');
  // 1 - i/N rather than accumulating a step, so the last value is exactly 0.
  return Array.from({ length: steps + 1 }, (_, i) => applyShift(1 - i / steps, shift));
}
