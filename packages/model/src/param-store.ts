import * as tf from '@tensorflow/tfjs';
import { Rng } from '@lowdiff/backend';

export type Init = { kind: 'normal'; std: number } | { kind: 'zeros' } | { kind: 'ones' };

/**
 * Named trainable weights. A layer asks for its weight by name on first use; after `freeze()`
 * asking for an unknown name is an error, so a call at a resolution the model was not built for
 * fails clearly instead of growing new weights. Initial values depend only on (seed, name), not
 * on creation order.
 */
export class ParamStore {
  readonly vars = new Map<string, tf.Variable>();
  private frozen = false;

  /** Dry run: the shapes of the weights a network asks for, with nothing allocated. */
  readonly planned = new Map<string, number[]>();

  /** `dryRun`: record each weight's shape instead of creating it (see `shapeOps`). */
  constructor(
    private readonly seed: number,
    readonly dryRun = false,
  ) {}

  param(name: string, shape: number[], init: Init, trainable = true): tf.Variable {
    const existing = this.vars.get(name);
    if (existing) return existing;
    if (this.frozen) throw new Error(`model has no weight '${name}' (was the model built for this resolution?)`);
    if (this.dryRun) {
      this.planned.set(name, shape);
      return { shape, size: shape.reduce((a, b) => a * b, 1), trainable } as unknown as tf.Variable;
    }
    const size = shape.reduce((a, b) => a * b, 1);
    let values: Float32Array;
    if (init.kind === 'normal') values = Rng.derive(this.seed, hashName(name)).normalArray(size, 0, init.std);
    else values = new Float32Array(size).fill(init.kind === 'ones' ? 1 : 0);
    const v = tf.tidy(() => tf.variable(tf.tensor(values, shape), trainable, `${name}_${nextId++}`));
    this.vars.set(name, v);
    return v;
  }

  freeze(): void {
    this.frozen = true;
  }

  /** Trainable weights (what an optimiser updates and EMA tracks). */
  trainable(): tf.Variable[] {
    return this.entries()
      .map(([, v]) => v)
      .filter((v) => v.trainable);
  }

  /** Weights by name, in a stable (sorted) order. */
  entries(): [string, tf.Variable][] {
    return [...this.vars.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  parameterCount(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

// tfjs variable names must be globally unique; two models may share weight names.
let nextId = 0;

function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h | 0;
}
