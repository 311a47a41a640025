import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { decodeSafetensors } from '@lowdiff/model';
import { inceptionV3FromTensors, INCEPTION_CONVS } from './src/index';
import { randomInceptionStateDict, encodeSafetensorsF32 } from './test/inception-helpers';
await initBackend({ backend: 'wasm' });
console.log('convs', INCEPTION_CONVS.length);
let t = performance.now();
const sd = randomInceptionStateDict(1);
console.log('gen', performance.now() - t); t = performance.now();
const bytes = encodeSafetensorsF32(sd);
console.log('encode', performance.now() - t, bytes.length); t = performance.now();
const dec = decodeSafetensors(bytes);
console.log('decode', performance.now() - t); t = performance.now();
const ex = inceptionV3FromTensors(dec.tensors);
console.log('fold+tensors', performance.now() - t);
for (const size of [299, 299, 75, 107]) {
  const x = new Rng(2).uniformTensor([1, 64, 64, 3], -1, 1) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  t = performance.now();
  const o = ex.features(size === 299 ? x : tf.image.resizeBilinear(x, [size, size]) );
  const f = await o.features.data(); const l = await o.logits!.data();
  console.log(size, 'forward', performance.now() - t, f.slice(0, 4), l.slice(0, 4), Math.max(...f), o.logits!.shape);
}
