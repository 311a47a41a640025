import * as tf from '@tensorflow/tfjs';

/**
 * Exponential moving average of the weights with EDM's schedule: the half-life is given in
 * images and, early in training, capped at `rampup` times the images seen so far, so the average
 * does not drag the random initialisation along.
 *
 * The average is kept as plain values and written to its tensors only when they are read (a
 * checkpoint, sampling): three tensor ops per weight per step would be ~550 kernel launches.
 */
export class Ema {
  private readonly values = new Map<string, Float32Array>();
  private readonly tensors = new Map<string, tf.Variable>();
  private stale = false;

  constructor(
    weights: Map<string, tf.Tensor>,
    private readonly halfLifeImages: number,
    private readonly rampup: number,
  ) {
    for (const [n, w] of weights) {
      this.values.set(n, Float32Array.from(w.dataSync() as Float32Array));
      this.tensors.set(n, tf.variable(w, false));
    }
  }

  /** The averaged weights by name, as tensors (kept up to date; do not dispose them). */
  get shadow(): Map<string, tf.Variable> {
    if (this.stale) {
      tf.tidy(() => {
        for (const [n, t] of this.tensors) t.assign(tf.tensor(this.values.get(n)!, t.shape));
      });
      this.stale = false;
    }
    return this.tensors;
  }

  /** The decay for a step of `batchSize` images after `imagesSeen` images. */
  beta(imagesSeen: number, batchSize: number): number {
    let halfLife = this.halfLifeImages;
    if (this.rampup > 0) halfLife = Math.min(halfLife, imagesSeen * this.rampup);
    return Math.pow(0.5, batchSize / Math.max(halfLife, 1e-8));
  }

  /** One step towards `weights` (tensors, or their values, e.g. what Adam.apply returned). */
  update(weights: Map<string, tf.Tensor | Float32Array>, imagesSeen: number, batchSize: number): void {
    const b = this.beta(imagesSeen, batchSize);
    for (const [n, s] of this.values) {
      const t = weights.get(n)!;
      const w = t instanceof Float32Array ? t : (t.dataSync() as Float32Array);
      for (let i = 0; i < s.length; i++) s[i] = s[i] * b + w[i] * (1 - b);
    }
    this.stale = true;
  }

  load(weights: Map<string, tf.Tensor>): void {
    for (const [n, s] of this.values) {
      const w = weights.get(n);
      if (w) s.set(w.dataSync() as Float32Array);
    }
    this.stale = true;
  }

  dispose(): void {
    for (const s of this.tensors.values()) s.dispose();
    this.tensors.clear();
    this.values.clear();
  }
}
