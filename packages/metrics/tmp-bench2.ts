import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { decodeSafetensors } from '@lowdiff/model';
import { inceptionV3FromTensors, foldInceptionWeights } from './src/index';
import { randomInceptionStateDict, encodeSafetensorsF32 } from './test/inception-helpers';
await initBackend({ backend: 'wasm' });
const dec = decodeSafetensors(encodeSafetensorsF32(randomInceptionStateDict(1)));
let t = performance.now();
const folded = foldInceptionWeights(dec.tensors);
console.log('fold', performance.now() - t); t = performance.now();
const ex = inceptionV3FromTensors(dec.tensors);
console.log('fold+tensors', performance.now() - t);
for (const n of [1, 1, 4, 8]) {
  const x = new Rng(2).uniformTensor([n, 299, 299, 3], -1, 1) as tf.Tensor4D;
  t = performance.now();
  const o = ex.features(x);
  await o.features.data();
  console.log(n, 'per image', (performance.now() - t) / n);
  tf.dispose([x, o.features, o.logits!]);
}
