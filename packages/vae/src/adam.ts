import * as tf from '@tensorflow/tfjs';

export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Adam (Kingma & Ba) with bias correction and its moments in the open, keyed by weight name, so
 * a checkpoint can hold them (`adam.m/<name>`, `adam.v/<name>`) and a resumed run continues
 * exactly. tf.train.adam keeps its state under generated variable names instead.
 */
export class Adam {
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();
  /** Updates applied so far. */
  step = 0;

  constructor(private readonly opts: AdamOptions) {}

  /** One update of each named weight with its gradient. Does not dispose the gradients. */
  apply(weights: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>, learningRate = this.opts.learningRate): void {
    const b1 = this.opts.beta1 ?? 0.9;
    const b2 = this.opts.beta2 ?? 0.999;
    const eps = this.opts.epsilon ?? 1e-8;
    this.step++;
    const lr = (learningRate * Math.sqrt(1 - b2 ** this.step)) / (1 - b1 ** this.step);
    for (const [name, g] of grads) {
      const w = weights.get(name);
      if (!w) throw new Error(`Adam: no weight '${name}' for a gradient`);
      const m = this.moment(this.m, name, w);
      const v = this.moment(this.v, name, w);
      tf.tidy(() => {
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        w.assign(tf.sub(w, tf.mul(lr, tf.div(m, tf.add(tf.sqrt(v), eps)))));
      });
    }
  }

  private moment(map: Map<string, tf.Variable>, name: string, like: tf.Tensor): tf.Variable {
    let t = map.get(name);
    if (!t) {
      t = tf.variable(tf.zerosLike(like), false);
      map.set(name, t);
    }
    return t;
  }

  /** The moments as named tensors for a checkpoint (views of the live state; do not dispose). */
  tensors(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [n, t] of this.m) out.set(`adam.m/${n}`, t);
    for (const [n, t] of this.v) out.set(`adam.v/${n}`, t);
    return out;
  }

  /** Restores moments saved by {@link tensors} (copies them) and the step count. */
  load(tensors: Map<string, tf.Tensor>, step: number): void {
    for (const [key, t] of tensors) {
      const target = key.startsWith('adam.m/') ? this.m : key.startsWith('adam.v/') ? this.v : null;
      if (!target) continue;
      const name = key.slice('adam.m/'.length);
      target.get(name)?.dispose();
      target.set(name, tf.variable(t.clone(), false));
    }
    this.step = step;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
