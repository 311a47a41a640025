import * as tf from '@tensorflow/tfjs';

/**
 * Exponential moving average of the weights with EDM's schedule: the half-life is given in
 * images and, early in training, capped at `rampup` times the images seen so far, so the average
 * does not drag the random initialisation along.
 */
export class Ema {
  readonly shadow = new Map<string, tf.Variable>();

  constructor(
    weights: Map<string, tf.Tensor>,
    private readonly halfLifeImages: number,
    private readonly rampup: number,
  ) {
    // A variable made from a tensor shares its buffer until the first assign; no copy needed.
    for (const [n, w] of weights) this.shadow.set(n, tf.variable(w, false));
  }

  /** The decay for a step of `batchSize` images after `imagesSeen` images. */
  beta(imagesSeen: number, batchSize: number): number {
    let halfLife = this.halfLifeImages;
    if (this.rampup > 0) halfLife = Math.min(halfLife, imagesSeen * this.rampup);
    return Math.pow(0.5, batchSize / Math.max(halfLife, 1e-8));
  }

  update(weights: Map<string, tf.Tensor>, imagesSeen: number, batchSize: number): void {
    const b = this.beta(imagesSeen, batchSize);
    tf.tidy(() => {
      for (const [n, s] of this.shadow) s.assign(tf.add(tf.mul(s, b), tf.mul(weights.get(n)!, 1 - b)));
    });
  }

  load(weights: Map<string, tf.Tensor>): void {
    for (const [n, s] of this.shadow) {
      const w = weights.get(n);
      if (w) s.assign(w);
    }
  }

  dispose(): void {
    for (const s of this.shadow.values()) s.dispose();
    this.shadow.clear();
  }
}
