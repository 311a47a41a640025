import { initBackend } from '@lowdiff/backend';
import { loadFashionMnist } from '@lowdiff/data';
import { trainAutoencoder, reconstructionPsnr, measureLatentStats, perChannelNormalisation } from '../src/index';

await initBackend({ backend: 'wasm' });
const args = JSON.parse(process.argv[2] ?? '{}');
const train = await loadFashionMnist({ split: 'train', size: 32, limit: args.limit ?? 2000 });
const test = await loadFashionMnist({ split: 'test', size: 32, limit: 500 });
const t0 = performance.now();
const r = await trainAutoencoder(train, args.config ?? {}, { steps: args.steps ?? 150, progressEvery: 25, onProgress: (p) => console.log(p.step, p.loss.toFixed(4), p.reconstruction.toFixed(4), p.kl.toFixed(3), p.imagesPerSecond.toFixed(0)) });
console.log('train s', ((performance.now() - t0) / 1000).toFixed(1), 'params', r.autoencoder.parameterCount());
const stats = await measureLatentStats(r.autoencoder, train);
r.autoencoder.setNormalisation(perChannelNormalisation(stats));
console.log(JSON.stringify(stats));
const q = await reconstructionPsnr(r.autoencoder, test);
console.log('psnr', JSON.stringify(q), 'total s', ((performance.now() - t0) / 1000).toFixed(1));
