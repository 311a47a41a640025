import { dirname } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { BackendNameSchema, ensureDir, initBackend } from '@lowdiff/backend';
import { createLatentDataset, loadDataset, parseDatasetSpec } from '@lowdiff/data';
import { encodeInBatches } from '@lowdiff/vae';
import { Output, parseFlags, sizeOptions } from '@lowdiff/cli-kit';
import { saveLatentCache } from '../latent-cache';
import { loadVae } from '@lowdiff/cli-kit';

const EncodeFlags = z
  .object({
    vae: z.string().min(1),
    data: z.string().min(1),
    out: z.string().min(1),
    split: z.enum(['train', 'test']).default('train'),
    size: z.coerce.number().int().min(8).default(32),
    limit: z.coerce.number().int().min(1).optional(),
    batchSize: z.coerce.number().int().min(1).default(256),
    backend: BackendNameSchema.default('auto'),
    json: z.boolean().default(false),
  })
  .strict();

export function registerEncode(program: Command): void {
  program
    .command('encode')
    .description("encode a data set's split with a VAE once and cache the latents + labels as safetensors")
    .addHelpText('after', '\nExample:\n  npx lowdiff-latent encode --vae runs/vae/vae.safetensors --data fashion-mnist --out runs/latents.safetensors')
    .requiredOption('--vae <spec>', 'the VAE: kl:<file> (train-vae; a bare path too) or sd:<file> (SD AutoencoderKL) (required)')
    .requiredOption('--data <spec>', 'fashion-mnist | mnist | cifar10:<dir> | folder:<dir> (required)')
    .requiredOption('--out <file>', 'the cache, e.g. runs/latents.safetensors (required)')
    .option('--split <name>', 'train | test', 'train')
    .option('--size <px>', 'image size (must match the VAE training size)', '32')
    .option('--limit <n>', 'encode only n images (seeded subset)')
    .option('--batch-size <n>', 'images per encoder call', '256')
    .option('--backend <name>', 'auto | wasm | cpu | tensorflow | tensorflow-gpu | webgpu', 'auto')
    .option('--json', 'print a JSON summary on stdout')
    .action(async (raw) => encode(parseFlags(EncodeFlags, raw)));
}

async function encode(flags: z.output<typeof EncodeFlags>): Promise<void> {
  const out = new Output(flags.json);
  await initBackend({ backend: flags.backend });
  const vae = await loadVae(flags.vae);
  const images = await loadDataset(parseDatasetSpec(flags.data), { split: flags.split, ...sizeOptions(flags.size), ...(flags.limit ? { limit: flags.limit } : {}) });
  const [h, w, c] = vae.latentShape([images.height, images.width]);
  out.startProgress(`encode ${images.name}`, images.count);
  const t0 = performance.now();
  // The posterior mean: the cache is deterministic, and the KL term kept the posteriors narrow.
  const z = await encodeInBatches(vae, images, { batchSize: flags.batchSize, onProgress: (p) => out.progress(p.done, images.count, '') });
  out.stopProgress();
  const values = (await z.data()) as Float32Array;
  z.dispose();
  const data = createLatentDataset({
    name: `${images.name}@${vae.name}`,
    values,
    labels: images.labels,
    count: images.count,
    height: h,
    width: w,
    channels: c,
    numClasses: images.numClasses,
    classNames: images.classNames,
  });
  await ensureDir(dirname(flags.out));
  await saveLatentCache(flags.out, data, { adapter: vae.name, vae: flags.vae, data: images.name, imageSize: images.height });
  const seconds = (performance.now() - t0) / 1000;
  out.info(`encoded ${data.count} images to ${h}x${w}x${c} latents in ${seconds.toFixed(1)} s; wrote ${flags.out}`);
  out.result({ out: flags.out, count: data.count, shape: [data.count, h, w, c], seconds });
  vae.dispose();
}
