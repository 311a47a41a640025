/**
 * The sampler upsamples a stage's output with the very function the trainer builds its
 * conditions with (half-pixel centres, the inverse geometry of area downsampling), so training
 * and sampling see the same conditions.
 */
export { upsample, type UpsampleMode as UpsampleMethod } from '@lowdiff/data';
