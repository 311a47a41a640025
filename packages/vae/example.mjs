// example.mjs, shipped in the package: node node_modules/@lowdiff/vae/example.mjs
// (in the repository, after npm run build: node packages/vae/example.mjs)
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import { loadFashionMnist, toTensor } from '@lowdiff/data';
import {
  AutoencoderKL,
  identityAdapter,
  loadAutoencoderKL,
  loadKlAutoencoder,
  measureLatentStats,
  perChannelNormalisation,
  reconstructionPsnr,
  saveAutoencoderKL,
  saveKlAutoencoder,
  trainAutoencoder,
} from '@lowdiff/vae';

await initBackend({ backend: 'wasm' });
const train = await loadFashionMnist({ split: 'train', size: 32, limit: 2000 });
const test = await loadFashionMnist({ split: 'test', size: 32, limit: 200 });

// Pixel space and latent space behind one interface.
const pixels = identityAdapter(1);
console.log('identity latent shape', pixels.latentShape(32));

// A small KL autoencoder: 32x32x1 -> 8x8x4, trained briefly, then normalised with measured stats.
const { autoencoder: vae } = await trainAutoencoder(train, { model: { channels: [8, 16, 16] }, batchSize: 8, learningRate: 4e-3 }, {
  steps: 100,
  progressEvery: 25,
  onProgress: (p) => console.log(`step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} (${p.imagesPerSecond.toFixed(0)} img/s)`),
});
vae.setNormalisation(perChannelNormalisation(await measureLatentStats(vae, train)));
const n = vae.normalisation;
if (n.kind === 'per-channel') console.log('latent shape', vae.latentShape(32), 'mean', n.mean.map((v) => +v.toFixed(3)), 'std', n.std.map((v) => +v.toFixed(3)));
console.log('test PSNR', (await reconstructionPsnr(vae, test)).psnr.toFixed(2), 'dB');

const x = toTensor(test, [0, 1, 2, 3]);
const z = vae.encode(x); // normalised posterior means, [4, 8, 8, 4]
const y = vae.decode(z); // images in [-1, 1]
console.log('encode', z.shape, 'decode', y.shape);

await saveKlAutoencoder('out/vae-example/kl.safetensors', vae);
const { autoencoder: again } = await loadKlAutoencoder('out/vae-example/kl.safetensors');
console.log('reloaded, same normalisation:', JSON.stringify(again.normalisation) === JSON.stringify(vae.normalisation));

// Stable Diffusion's VAE architecture (a tiny config here; loadAutoencoderKL(path) with no config
// expects the SD 1.x/2.x layout, e.g. sd-vae-ft-mse's diffusion_pytorch_model.safetensors).
const sd = new AutoencoderKL({ blockOutChannels: [8, 16], layersPerBlock: 1, normNumGroups: 4 }, 0);
await saveAutoencoderKL('out/vae-example/tiny-sd.safetensors', sd);
const sdLoaded = await loadAutoencoderKL('out/vae-example/tiny-sd.safetensors');
const wild = tf.tensor4d([NaN, Infinity, -1e4, 3], [1, 1, 1, 4]);
const safe = sdLoaded.decode(wild);
console.log('decode of [NaN, Inf, -1e4, 3] is finite:', safe.dataSync().every(Number.isFinite));

tf.dispose([x, z, y, wild, safe]);
[vae, again, sd, sdLoaded].forEach((m) => m.dispose());
console.log('tensors left:', tf.memory().numTensors);
