import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Rng } from '@lowdiff/backend';
import { conv2d, dropout, linear, OnnxGraph, OnnxOps, opsOf, ParamStore, readSafetensorsFile, writeSafetensorsFile, type ForwardContext, type Value } from '@lowdiff/model';
import type { ExtractorOutput, FeatureExtractor } from './feature-extractor';
import { MetricsError } from './errors';

export const ClassifierConfigSchema = z
  .object({
    /** Extractor name recorded with every score, e.g. `classifier-fmnist`. */
    name: z.string().min(1),
    inputSize: z.number().int().min(8).default(32),
    channels: z.number().int().min(1).default(1),
    numClasses: z.number().int().min(2).default(10),
    /** Conv widths, one 3x3 conv + 2x2 max-pool per entry. */
    widths: z.array(z.number().int().min(1)).min(1).default([16, 32, 64]),
    /** Width of the penultimate layer: the FID feature vector. */
    featureDim: z.number().int().min(2).default(128),
    dropout: z.number().min(0).lt(1).default(0.3),
  })
  .strict();
export type ClassifierConfig = z.output<typeof ClassifierConfigSchema>;

/**
 * A small CNN classifier whose penultimate layer (ReLU features) serves as the feature space of
 * FID / KID / precision-recall for MNIST-family images, and whose logits serve IS and conditional
 * accuracy. Trained by our own code (tools/train/classifier.ts); weights ship as safetensors.
 */
export class ClassifierExtractor implements FeatureExtractor {
  readonly config: ClassifierConfig;
  readonly store: ParamStore;

  constructor(config: z.input<typeof ClassifierConfigSchema>, seed = 0) {
    this.config = ClassifierConfigSchema.parse(config);
    this.store = new ParamStore(seed);
    tf.tidy(() => {
      this.forward(tf.zeros([1, this.config.inputSize, this.config.inputSize, this.config.channels]) as tf.Tensor4D, false);
    });
    this.store.freeze();
  }

  get name(): string {
    return this.config.name;
  }
  get featureDim(): number {
    return this.config.featureDim;
  }
  get numClasses(): number {
    return this.config.numClasses;
  }

  features(images: tf.Tensor4D): ExtractorOutput {
    return tf.tidy(() => {
      const { features, logits } = this.forward(this.fit(images), false);
      return { features, logits };
    });
  }

  /** Logits in training mode (dropout from `rng`), for the training script. */
  trainLogits(images: tf.Tensor4D, rng: Rng): tf.Tensor2D {
    return this.forward(this.fit(images), true, rng).logits;
  }

  async save(path: string, info: Record<string, unknown> = {}): Promise<void> {
    const tensors = new Map(this.store.entries().map(([n, v]) => [n, { shape: v.shape, data: v.dataSync() as Float32Array }] as const));
    await writeSafetensorsFile(path, tensors, { format: 'lowdiff-classifier/1', config: JSON.stringify(this.config), info: JSON.stringify(info) });
  }

  /** Loads a classifier saved by {@link save}, checking every weight's name and shape. */
  static async load(path: string): Promise<{ extractor: ClassifierExtractor; info: Record<string, unknown> }> {
    const { tensors, metadata } = await readSafetensorsFile(path);
    if (metadata.format !== 'lowdiff-classifier/1') throw new MetricsError(`${path}: not a LowDiff classifier file`);
    const extractor = new ClassifierExtractor(JSON.parse(metadata.config));
    for (const [name, v] of extractor.store.entries()) {
      const t = tensors.get(name);
      if (!t || t.shape.join() !== v.shape.join()) {
        extractor.dispose();
        throw new MetricsError(`${path}: weight ${name} is ${t ? `[${t.shape}]` : 'missing'}, expected [${v.shape}]`);
      }
      v.assign(tf.tensor(t.data as Float32Array, v.shape));
    }
    return { extractor, info: JSON.parse(metadata.info ?? '{}') };
  }

  dispose(): void {
    this.store.dispose();
  }

  /** Brings images to the classifier's input size (area down, bilinear up). */
  private fit(images: tf.Tensor4D): tf.Tensor4D {
    const s = this.config.inputSize;
    const [, h, w, c] = images.shape;
    if (c !== this.config.channels) throw new MetricsError(`${this.name} takes ${this.config.channels}-channel images, got ${c}`);
    if (h === s && w === s) return images;
    if (h % s === 0 && w % s === 0) return tf.avgPool(images, [h / s, w / s], [h / s, w / s], 'valid');
    return tf.image.resizeBilinear(images, [s, s], false, true);
  }

  private forward(x: tf.Tensor4D, training: boolean, rng?: Rng): { features: tf.Tensor2D; logits: tf.Tensor2D } {
    const out = this.interpret({ store: this.store, training, dropout: this.config.dropout, rng }, x);
    return out as { features: tf.Tensor2D; logits: tf.Tensor2D };
  }

  /** The network written against the op set: tfjs tensors here, an ONNX graph in {@link exportOnnx}. */
  private interpret(ctx: ForwardContext, x: Value): { features: Value; logits: Value } {
    const ops = opsOf(ctx);
    let h = x;
    this.config.widths.forEach((w, i) => {
      h = ops.maxPool2(ops.relu(conv2d(ctx, `conv${i}`, h, w)));
    });
    const features = ops.relu(linear(ctx, 'features', ops.flatten(h), this.config.featureDim));
    const logits = linear(ctx, 'logits', dropout(ctx, features), this.config.numClasses);
    return { features, logits };
  }

  /**
   * The classifier as an ONNX graph (opset 17, dynamic batch): input `images` [N, s, s, C] at the
   * input size (fit other sizes first), outputs `features` [N, featureDim] and `logits`.
   */
  exportOnnx(): Uint8Array {
    const graph = new OnnxGraph(this.name);
    const ops = new OnnxOps(graph);
    const { inputSize: s, channels } = this.config;
    const { features, logits } = this.interpret({ store: this.store, ops, training: false, dropout: 0 }, ops.input('images', [1, s, s, channels], 'map'));
    ops.output('features', features);
    ops.output('logits', logits);
    return graph.encode();
  }

}
