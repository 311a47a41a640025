import type * as tf from '@tensorflow/tfjs';

/** What a {@link FeatureExtractor} returns for one batch of images. */
export interface ExtractorOutput {
  /** `[batch, featureDim]` features (e.g. the pool layer of a classifier or of Inception-v3). */
  features: tf.Tensor2D;
  /** `[batch, numClasses]` class logits, for IS and conditional accuracy; absent when the network has no classifier head. */
  logits?: tf.Tensor2D;
}

/**
 * A network that turns images into feature vectors for FID, KID and precision/recall (and into
 * class logits for IS and conditional accuracy).
 *
 * Every score carries the extractor's `name`, because an FID computed with a small classifier
 * trained here is not comparable to a paper's Inception-v3 FID. Implementations (the MNIST-family
 * classifier, Inception-v3 with user-supplied weights) live elsewhere; this package only needs
 * the interface.
 */
export interface FeatureExtractor {
  /** Stable identifier, recorded in statistics files and scores, e.g. `classifier-fmnist`, `inception-v3-pool3`. */
  readonly name: string;
  /** Length of each feature vector. */
  readonly featureDim: number;
  /** Number of classes of the logits head, when there is one. */
  readonly numClasses?: number;
  /**
   * Features (and logits) of a batch. `images` are NHWC in [-1, 1] at whatever resolution the
   * caller has; resizing to the network's input size is the extractor's job. The caller owns
   * `images`; the returned tensors belong to the caller, who disposes them.
   */
  features(images: tf.Tensor4D): ExtractorOutput;
}
