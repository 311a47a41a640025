import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { readSafetensorsFile, type SafeTensor } from '@lowdiff/model';
import type { ExtractorOutput, FeatureExtractor } from './feature-extractor';
import { MetricsError, parseOptions } from './errors';
import {
  INCEPTION_FEATURE_DIM,
  INCEPTION_INPUT_SIZE,
  INCEPTION_MIN_INPUT_SIZE,
  MIXED_BLOCKS,
  STEM_CONVS,
  type BranchPool,
  type MixedBlock,
} from './inception-v3-architecture';
import { foldInceptionWeights, InceptionWeightsError, type FoldedInception } from './inception-weights';

export const InceptionV3OptionsSchema = z
  .object({
    /**
     * Side the images are resized to. 299 is the FID network; smaller sizes (>= 75) run the same
     * layers faster - for tests - and give an extractor named `inception-v3-pool3-<size>px`,
     * whose features are not comparable with the standard ones.
     */
    inputSize: z.number().int().min(INCEPTION_MIN_INPUT_SIZE).default(INCEPTION_INPUT_SIZE),
    /**
     * `reference-1008`: pool features times `fc.weight`, no bias, all 1008 columns - what the
     * original Inception Score code and torch-fidelity (`logits_unbiased`) compute, so IS values
     * compare with published ones. `imagenet-1000`: the full `fc` (with bias) restricted to the
     * 1000 ImageNet classes (columns 1..1000; column 0 is the background class and 1001..1007 are
     * unused), in the TF graph's label order, which is not torchvision's sorted-synset order.
     */
    logits: z.enum(['reference-1008', 'imagenet-1000']).default('reference-1008'),
    /** Largest batch run at once; bigger inputs are split, bounding memory (~12 MB per 299x299 image per layer). */
    maxBatch: z.number().int().min(1).default(32),
  })
  .strict();
export type InceptionV3Options = z.output<typeof InceptionV3OptionsSchema>;

/** Extractor name of the standard 299x299 network: the 2048-d `pool_3` features of FID. */
export const INCEPTION_V3_NAME = 'inception-v3-pool3';

/**
 * The FID Inception-v3 (pytorch-fid's port of the TF 2015-12-05 graph): images NHWC in [-1, 1]
 * are resized bilinearly (half-pixel centres, like PyTorch's `align_corners=False`) to 299x299,
 * run through the network, and average-pooled to 2048-d features; `fc` gives the logits for IS.
 * Weights come from the user (see {@link loadInceptionV3}); BatchNorm is folded into the convs.
 */
export class InceptionV3Extractor implements FeatureExtractor {
  readonly name: string;
  readonly featureDim = INCEPTION_FEATURE_DIM;
  readonly numClasses: number;
  readonly options: InceptionV3Options;
  /** The weights file's `__metadata__` (e.g. the source checkpoint and its SHA-256). */
  readonly metadata: Readonly<Record<string, string>>;
  private readonly convs = new Map<string, { filter: tf.Tensor4D; bias: tf.Tensor1D; stride: 1 | 2; padding: 'same' | 'valid' }>();
  private readonly fcWeight: tf.Tensor2D;
  private readonly fcBias?: tf.Tensor1D;
  private disposed = false;

  constructor(weights: FoldedInception, options: z.input<typeof InceptionV3OptionsSchema> = {}, metadata: Record<string, string> = {}) {
    this.options = parseOptions(InceptionV3OptionsSchema, options, 'InceptionV3Options');
    const size = this.options.inputSize;
    this.name = size === INCEPTION_INPUT_SIZE ? INCEPTION_V3_NAME : `${INCEPTION_V3_NAME}-${size}px`;
    this.metadata = { ...metadata };
    for (const { conv, filter, bias } of weights.convs.values()) {
      const [kh, kw] = conv.kernel;
      this.convs.set(conv.name, {
        filter: tf.tensor4d(filter, [kh, kw, conv.inChannels, conv.outChannels]),
        bias: tf.tensor1d(bias),
        stride: conv.stride,
        padding: conv.padding,
      });
    }
    const classes = weights.fcBias.length;
    const fc = tf.tensor2d(weights.fcWeight, [INCEPTION_FEATURE_DIM, classes]);
    if (this.options.logits === 'reference-1008') {
      this.fcWeight = fc;
      this.numClasses = classes;
    } else {
      this.fcWeight = tf.tidy(() => tf.slice(fc, [0, 1], [-1, 1000]));
      this.fcBias = tf.tensor1d(weights.fcBias.subarray(1, 1001));
      this.numClasses = 1000;
      fc.dispose();
    }
  }

  features(images: tf.Tensor4D): ExtractorOutput {
    if (this.disposed) throw new MetricsError(`${this.name}: the extractor was disposed`);
    if (images.rank !== 4) throw new MetricsError(`${this.name} takes NHWC images, got a rank-${images.rank} tensor`);
    const [n, h, w, c] = images.shape;
    if (c !== 3 && c !== 1) throw new MetricsError(`${this.name} takes 3-channel (or 1-channel) images, got ${c} channels`);
    if (n === 0 || h === 0 || w === 0) throw new MetricsError(`${this.name}: empty batch [${images.shape}]`);
    const step = this.options.maxBatch;
    if (n <= step) return this.run(images);
    const parts: ExtractorOutput[] = [];
    try {
      for (let start = 0; start < n; start += step) {
        const chunk = tf.slice(images, [start, 0, 0, 0], [Math.min(step, n - start), -1, -1, -1]);
        parts.push(this.run(chunk));
        chunk.dispose();
      }
      return {
        features: tf.concat(parts.map((p) => p.features)),
        logits: tf.concat(parts.map((p) => p.logits!)),
      };
    } finally {
      for (const p of parts) tf.dispose([p.features, p.logits!]);
    }
  }

  /** Frees the weights; the extractor cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const c of this.convs.values()) tf.dispose([c.filter, c.bias]);
    tf.dispose([this.fcWeight, ...(this.fcBias ? [this.fcBias] : [])]);
  }

  private run(images: tf.Tensor4D): ExtractorOutput {
    return tf.tidy(() => {
      // Each stage runs in its own scope and its input is freed as soon as the next exists, so a
      // batch holds at most two stages' activations rather than the whole network's.
      let h = this.fit(images);
      for (const stage of this.stages()) {
        const next = tf.tidy(() => stage(h));
        if (h !== images) h.dispose();
        h = next;
      }
      const features = tf.mean(h, [1, 2]) as tf.Tensor2D;
      const product = tf.matMul(features, this.fcWeight);
      const logits = (this.fcBias ? tf.add(product, this.fcBias) : product) as tf.Tensor2D;
      return { features, logits };
    });
  }

  /** To 3 channels (grey images repeated) and the input size; already [-1, 1], as the network expects. */
  private fit(images: tf.Tensor4D): tf.Tensor4D {
    const s = this.options.inputSize;
    const rgb = images.shape[3] === 1 ? tf.tile(images, [1, 1, 1, 3]) : images;
    if (rgb.shape[1] === s && rgb.shape[2] === s) return rgb;
    return tf.image.resizeBilinear(rgb, [s, s], false, true);
  }

  private stages(): ((x: tf.Tensor4D) => tf.Tensor4D)[] {
    const c = (name: string) => (x: tf.Tensor4D) => this.conv(name, x);
    const maxPool = (x: tf.Tensor4D) => tf.maxPool(x, 3, 2, 'valid');
    const [c1a, c2a, c2b, c3b, c4a] = STEM_CONVS.map((s) => c(s.name));
    return [c1a, c2a, c2b, maxPool, c3b, c4a, maxPool, ...MIXED_BLOCKS.map((b) => (x: tf.Tensor4D) => this.mixed(b, x))];
  }

  /** BasicConv2d with its BatchNorm folded: one fused conv + bias + ReLU. */
  private conv(name: string, x: tf.Tensor4D): tf.Tensor4D {
    const { filter, bias, stride, padding } = this.convs.get(name)!;
    return tf.fused.conv2d({ x, filter, strides: stride, pad: padding, bias, activation: 'relu' });
  }

  private mixed(block: MixedBlock, x: tf.Tensor4D): tf.Tensor4D {
    const c = (branch: string, input: tf.Tensor4D) => this.conv(`${block.name}.${branch}`, input);
    const chain = (branches: string[], input: tf.Tensor4D) => branches.reduce((h, b) => c(b, h), input);
    const pooled = (kind: BranchPool) => c('branch_pool', kind === 'max' ? tf.maxPool(x, 3, 1, 'same') : tf.avgPool(x, 3, 1, 'same'));
    let branches: tf.Tensor4D[];
    switch (block.kind) {
      case 'A':
        branches = [
          c('branch1x1', x),
          chain(['branch5x5_1', 'branch5x5_2'], x),
          chain(['branch3x3dbl_1', 'branch3x3dbl_2', 'branch3x3dbl_3'], x),
          pooled('avg-exclude-pad'),
        ];
        break;
      case 'B':
        branches = [c('branch3x3', x), chain(['branch3x3dbl_1', 'branch3x3dbl_2', 'branch3x3dbl_3'], x), tf.maxPool(x, 3, 2, 'valid')];
        break;
      case 'C':
        branches = [
          c('branch1x1', x),
          chain(['branch7x7_1', 'branch7x7_2', 'branch7x7_3'], x),
          chain(['branch7x7dbl_1', 'branch7x7dbl_2', 'branch7x7dbl_3', 'branch7x7dbl_4', 'branch7x7dbl_5'], x),
          pooled('avg-exclude-pad'),
        ];
        break;
      case 'D':
        branches = [
          chain(['branch3x3_1', 'branch3x3_2'], x),
          chain(['branch7x7x3_1', 'branch7x7x3_2', 'branch7x7x3_3', 'branch7x7x3_4'], x),
          tf.maxPool(x, 3, 2, 'valid'),
        ];
        break;
      case 'E': {
        const b3 = c('branch3x3_1', x);
        const bd = chain(['branch3x3dbl_1', 'branch3x3dbl_2'], x);
        branches = [c('branch1x1', x), c('branch3x3_2a', b3), c('branch3x3_2b', b3), c('branch3x3dbl_3a', bd), c('branch3x3dbl_3b', bd), pooled(block.pool)];
        break;
      }
    }
    return tf.concat(branches, 3);
  }
}

/**
 * Builds the extractor from a decoded state dict (e.g. `decodeSafetensors(bytes).tensors`),
 * checking every name and shape first.
 *
 * @throws {@link InceptionWeightsError} naming each missing, unexpected or mis-shaped tensor
 */
export function inceptionV3FromTensors(
  tensors: ReadonlyMap<string, SafeTensor>,
  options: z.input<typeof InceptionV3OptionsSchema> = {},
  metadata: Record<string, string> = {},
  source = 'weights',
): InceptionV3Extractor {
  const parsed = parseOptions(InceptionV3OptionsSchema, options, 'InceptionV3Options');
  return new InceptionV3Extractor(foldInceptionWeights(tensors, source), parsed, metadata);
}

/**
 * Loads the FID Inception-v3 from a safetensors file (F32 or F16) holding the
 * `pt_inception-2015-12-05` state dict in PyTorch layout, as written by
 * `tools/convert_pt_inception.py`. The extractor is named `inception-v3-pool3` (2048-d features).
 *
 * @throws {@link InceptionWeightsError} for an unreadable file or one that is not these weights
 */
export async function loadInceptionV3(path: string, options: z.input<typeof InceptionV3OptionsSchema> = {}): Promise<InceptionV3Extractor> {
  const parsed = parseOptions(InceptionV3OptionsSchema, options, 'InceptionV3Options');
  let contents;
  try {
    contents = await readSafetensorsFile(path);
  } catch (err) {
    throw new InceptionWeightsError((err as Error).message, {}, { cause: err });
  }
  return inceptionV3FromTensors(contents.tensors, parsed, contents.metadata, path);
}
