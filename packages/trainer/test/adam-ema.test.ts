import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam } from '@lowdiff/model';
import { Ema } from '../src';

beforeAll(() => initBackend({ backend: 'wasm' }));

describe('Adam', () => {
  it('matches tfjs own Adam step for step', () => {
    const rng = new Rng(1);
    const init = rng.normalArray(12);
    const target = rng.normalTensor([3, 4]);
    const ours = tf.variable(tf.tensor2d(init, [3, 4]));
    const ref = tf.variable(tf.tensor2d(init, [3, 4]));
    const adam = new Adam({ beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const tfAdam = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    const lossOf = (w: tf.Tensor) => tf.sum(tf.pow(tf.sub(w, target), 4)) as tf.Scalar;
    for (let i = 0; i < 10; i++) {
      const { grads } = tf.variableGrads(() => lossOf(ours), [ours]);
      adam.apply(new Map([['w', ours]]), new Map([['w', grads[ours.name]]]), 0.01);
      tf.dispose(grads[ours.name]);
      tfAdam.minimize(() => lossOf(ref), false, [ref]);
    }
    const a = ours.dataSync();
    const b = ref.dataSync();
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
    expect(adam.step).toBe(10);
    expect([...adam.stateTensors().keys()].sort()).toEqual(['adam.m/w', 'adam.v/w']);
  });
});

describe('Ema', () => {
  it('uses the half-life in images, capped by the ramp-up', () => {
    const w = new Map([['w', tf.zeros([1])]]);
    const ema = new Ema(w, 1000, 0.05);
    expect(ema.beta(1e9, 10)).toBeCloseTo(Math.pow(0.5, 10 / 1000), 12);
    expect(ema.beta(2000, 10)).toBeCloseTo(Math.pow(0.5, 10 / 100), 12);
    const noRamp = new Ema(w, 1000, 0);
    // After one half-life of images, the average has moved half way to a constant target.
    const one = new Map([['w', tf.ones([1])]]);
    for (let i = 0; i < 100; i++) noRamp.update(one, 1e9, 10);
    expect(noRamp.shadow.get('w')!.dataSync()[0]).toBeCloseTo(0.5, 5);
  });
});
