import { z } from 'zod';

/**
 * Which part of a data set to load. Every loader documents its fixed split; `all` is every image,
 * in the source's order.
 */
export const SplitSchema = z.enum(['train', 'test', 'all']);
export type Split = z.infer<typeof SplitSchema>;

/**
 * How images reach `size` x `size`:
 * - `pad`: centred on a background canvas, not scaled (MNIST-family default: 28 -> 32 adds 2
 *   pixels of black on each side). The image must fit.
 * - `resize`: resampled to size x size (area filter when shrinking, bilinear when growing);
 *   a non-square image is stretched.
 * - `crop`: the centred largest square is cut out, then resampled (image-folder default).
 */
export const FitSchema = z.enum(['pad', 'resize', 'crop']);
export type Fit = z.infer<typeof FitSchema>;

/** Progress of a long load: `done` of `total` files (or images, for a folder) read. */
export interface LoadProgress {
  done: number;
  total: number;
  /** The file just read. */
  file: string;
}

/** Options every loader takes. `size`, `fit` and `channels` default per data set. */
export const LoadOptionsSchema = z
  .object({
    split: SplitSchema.default('train'),
    /** Output height = width in pixels. */
    size: z.number().int('must be an integer').min(1, 'must be >= 1').max(4096, 'must be <= 4096').optional(),
    fit: FitSchema.optional(),
    /** 1 = grayscale (ITU-R 601 luma), 3 = RGB. */
    channels: z.union([z.literal(1), z.literal(3)], { message: 'must be 1 or 3' }).optional(),
    /**
     * Keep only `limit` images of the split: the first `limit` of a permutation drawn from
     * `new Rng(limitSeed)`, then put back in data-set order. A smaller limit keeps a subset of a
     * larger one's images (same limitSeed).
     */
    limit: z.number().int('must be an integer').min(1, 'must be >= 1').optional(),
    limitSeed: z.number().int('must be an integer').default(0),
    /** Called after each file is read; not called when the source comes from the cache. */
    onProgress: z
      .custom<(progress: LoadProgress) => void>((v) => typeof v === 'function', { message: 'must be a function' })
      .optional(),
  })
  .strict();

/** Loader options as a caller writes them (everything optional). */
export type LoadOptions = z.input<typeof LoadOptionsSchema>;
/** Loader options with defaults filled in. */
export type ResolvedLoadOptions = z.output<typeof LoadOptionsSchema>;
