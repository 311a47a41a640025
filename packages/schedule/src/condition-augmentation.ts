import { z } from 'zod';
import { parseParams } from './params';

// Cascaded diffusion models found that noising the low-resolution condition during
// training is what stops errors from compounding across stages: the network learns
// not to trust the condition's fine detail, which at sampling time is generated and
// imperfect. sigma_aug is drawn per sample in training and is embedded for the network;
// sampling typically uses a fixed small value.

/**
 * How sigma_aug, the noise level added to the low-resolution condition, is chosen.
 *
 * - `none`: no augmentation (sigma_aug = 0).
 * - `fixed`: always `sigma` (the usual choice at sampling time).
 * - `uniform`: uniform in sigma on [min, max].
 * - `lognormal`: ln(sigma_aug) ~ N(pMean, pStd^2), like the EDM training distribution.
 */
export const ConditionAugmentationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('fixed'), sigma: z.number().min(0, 'must be >= 0') }),
  z
    .object({
      kind: z.literal('uniform'),
      min: z.number().min(0, 'must be >= 0'),
      max: z.number().min(0, 'must be >= 0'),
    })
    .refine((c) => c.min <= c.max, { message: 'must be <= max', path: ['min'] }),
  z.object({
    kind: z.literal('lognormal'),
    pMean: z.number(),
    pStd: z.number().positive('must be > 0'),
  }),
]);

/** What callers pass as a condition-augmentation config. */
export type ConditionAugmentation = z.input<typeof ConditionAugmentationSchema>;

const DrawsSchema = z.object({
  uniform: z.number().min(0, 'must be >= 0').lt(1, 'must be < 1'),
  normal: z.number(),
});

/**
 * Maps one uniform draw u in [0, 1) and one standard normal draw z to sigma_aug.
 *
 * @remarks
 * Both draws are always required, whatever the kind, so that a caller consumes the same
 * number of random values per sample whichever config is active: changing the
 * augmentation then does not shift the rest of a seeded random stream.
 *
 * @param config - see {@link ConditionAugmentationSchema}
 * @param uniform - used by `uniform`: sigma_aug = min + u (max - min)
 * @param normal - used by `lognormal`: sigma_aug = exp(pMean + pStd z)
 * @throws {@link ScheduleParamError} on a bad config or draw.
 */
export function conditionAugSigma(config: ConditionAugmentation, uniform: number, normal: number): number {
  const c = parseParams(ConditionAugmentationSchema, config, 'ConditionAugmentation');
  parseParams(DrawsSchema, { uniform, normal }, 'conditionAugSigma');
  switch (c.kind) {
    case 'none':
      return 0;
    case 'fixed':
      return c.sigma;
    case 'uniform':
      return c.min + uniform * (c.max - c.min);
    case 'lognormal':
      return Math.exp(c.pMean + c.pStd * normal);
  }
}
