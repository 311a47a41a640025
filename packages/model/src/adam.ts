import * as tf from '@tensorflow/tfjs';

export interface AdamOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
}

/**
 * Adam (Kingma & Ba) with its state in the open: first and second moments per weight and the
 * step count, so a checkpoint can hold them and a resumed run continues exactly, and the learning
 * rate is an argument of each step (warm-up).
 */
export class Adam {
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();
  step = 0;

  constructor(private readonly opts: AdamOptions) {}

  /** Applies one update to `weights` (by name) from `grads` (same names). */
  apply(weights: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>, learningRate: number): void {
    this.step++;
    const { beta1, beta2, epsilon } = this.opts;
    const bc1 = 1 - Math.pow(beta1, this.step);
    const bc2 = 1 - Math.pow(beta2, this.step);
    tf.tidy(() => {
      for (const [name, g] of grads) {
        const w = weights.get(name)!;
        const m = this.moment(this.m, name, w);
        const v = this.moment(this.v, name, w);
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const update = tf.div(tf.mul(m, learningRate / bc1), tf.add(tf.sqrt(tf.div(v, bc2)), epsilon));
        w.assign(tf.sub(w, update));
      }
    });
  }

  /**
   * Creates the (zero) moments of weights that have had no gradient yet, so a checkpoint holds a
   * moment for every weight and a missing one means a damaged file.
   */
  ensure(weights: Iterable<[string, tf.Variable]>): void {
    tf.tidy(() => {
      for (const [name, w] of weights) {
        this.moment(this.m, name, w);
        this.moment(this.v, name, w);
      }
    });
  }

  /** Moments as named tensors (`adam.m/<weight>`, `adam.v/<weight>`) for a checkpoint. */
  stateTensors(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [n, t] of this.m) out.set(`adam.m/${n}`, t);
    for (const [n, t] of this.v) out.set(`adam.v/${n}`, t);
    return out;
  }

  /** Restores moments saved by {@link stateTensors}; other names are ignored. */
  load(tensors: Map<string, tf.Tensor>, step: number): void {
    this.step = step;
    for (const [key, t] of tensors) {
      const [kind, name] = [key.slice(0, 7), key.slice(7)];
      const target = kind === 'adam.m/' ? this.m : kind === 'adam.v/' ? this.v : null;
      if (!target) continue;
      target.get(name)?.dispose();
      target.set(name, tf.variable(t, false));
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }

  private moment(store: Map<string, tf.Variable>, name: string, like: tf.Tensor): tf.Variable {
    let t = store.get(name);
    if (!t) {
      t = tf.keep(tf.variable(tf.zerosLike(like), false));
      store.set(name, t);
    }
    return t;
  }
}
