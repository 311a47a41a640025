import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { BackendNameSchema, ensureDir, initBackend } from '@lowdiff/backend';
import * as tf from '@tensorflow/tfjs';
import { imageGrid, loadDataset, parseDatasetSpec, writePng, type ImageDataset } from '@lowdiff/data';
import { measureLatentStats, perChannelNormalisation, reconstructionPsnr, saveKlAutoencoder, trainAutoencoder, type KlAutoencoder, type KlTrainingConfigInput } from '@lowdiff/vae';
import { CliError, Output, parseFlags, sizeOptions, stopOnSignals, toBytes } from '@lowdiff/cli-kit';

const TrainVaeFlags = z
  .object({
    data: z.string().min(1),
    out: z.string().min(1),
    steps: z.coerce.number().int().min(1),
    batchSize: z.coerce.number().int().min(1).default(16),
    lr: z.coerce.number().positive().default(2e-3),
    klWeight: z.coerce.number().min(0).default(1e-4),
    channels: z
      .string()
      .regex(/^\d+(,\d+)*$/, 'must be comma-separated integers, e.g. 16,32,32')
      .default('16,32,32'),
    size: z.coerce.number().int().min(8).default(32),
    limit: z.coerce.number().int().min(1).optional(),
    evalImages: z.coerce.number().int().min(1).default(10_000),
    seed: z.coerce.number().int().default(0),
    resume: z.boolean().default(false),
    backend: BackendNameSchema.default('auto'),
    json: z.boolean().default(false),
  })
  .strict();

export function registerTrainVae(program: Command): void {
  program
    .command('train-vae')
    .description('train the small KL autoencoder, measure its latent statistics, save it, report test reconstruction PSNR')
    .addHelpText('after', '\nExample:\n  npx lowdiff-latent train-vae --data fashion-mnist --out runs/vae --steps 300')
    .requiredOption('--data <spec>', 'fashion-mnist | mnist | cifar10:<dir> | folder:<dir> (required)')
    .requiredOption('--out <dir>', 'run folder: vae.safetensors, vae-report.json (required)')
    .requiredOption('--steps <n>', 'training steps (required)')
    .option('--batch-size <n>', 'images per step', '16')
    .option('--lr <x>', 'Adam learning rate', '0.002')
    .option('--kl-weight <x>', 'weight of the KL term', '0.0001')
    .option('--channels <list>', 'encoder block widths; 3 blocks downsample 4x (32x32 -> 8x8)', '16,32,32')
    .option('--size <px>', 'image size (data is padded or resized to it)', '32')
    .option('--limit <n>', 'train (and measure statistics) on only n images (seeded subset)')
    .option('--eval-images <n>', 'test images for the reconstruction PSNR', '10000')
    .option('--seed <n>', 'weights, batch order and posterior noise', '0')
    .option('--resume', 'continue from <out>/vae.safetensors')
    .option('--backend <name>', 'auto | wasm | cpu | tensorflow | tensorflow-gpu | webgpu', 'auto')
    .option('--json', 'JSON lines on stdout instead of a progress bar')
    .action(async (raw) => trainVae(parseFlags(TrainVaeFlags, raw)));
}

async function trainVae(flags: z.output<typeof TrainVaeFlags>): Promise<void> {
  const out = new Output(flags.json);
  const backend = await initBackend({ backend: flags.backend });
  out.info(`backend: ${backend.backend}`);
  const spec = parseDatasetSpec(flags.data);
  const size = sizeOptions(flags.size);
  const train = await loadDataset(spec, { split: 'train', ...size, ...(flags.limit ? { limit: flags.limit } : {}) });
  const test = await loadDataset(spec, { split: 'test', ...size, limit: flags.evalImages });
  await ensureDir(flags.out);
  const path = join(flags.out, 'vae.safetensors');
  if (existsSync(path) && !flags.resume) throw new CliError(`--out: ${path} exists; pass --resume to continue it, or choose another folder`);
  const config: KlTrainingConfigInput = {
    model: { channels: flags.channels.split(',').map(Number), imageChannels: train.channels },
    batchSize: flags.batchSize,
    learningRate: flags.lr,
    klWeight: flags.klWeight,
    seed: flags.seed,
  };
  const ctl = new AbortController();
  const signals = stopOnSignals(out, ctl, 'finishing the step and saving');
  out.info(`training on ${train.name} (${train.count} images)`);
  out.startProgress('train-vae', flags.steps);
  let result;
  try {
    result = await trainAutoencoder(train, config, {
      steps: flags.steps,
      checkpointPath: path,
      resume: flags.resume,
      signal: ctl.signal,
      onProgress: (p) => {
        out.progress(p.step, p.steps, `loss ${p.loss.toFixed(4)} rec ${p.reconstruction.toFixed(4)} kl ${p.kl.toFixed(2)} ${p.imagesPerSecond.toFixed(0)} img/s`);
        if (flags.json) out.result({ event: 'progress', ...p });
      },
    });
  } catch (err) {
    throw new CliError((err as Error).message);
  } finally {
    signals.done();
  }
  out.stopProgress();
  const vae = result.autoencoder;
  out.startProgress('latent statistics', train.count);
  const stats = await measureLatentStats(vae, train, { onProgress: (p) => out.progress(p.done, p.total ?? p.done, '') });
  out.stopProgress();
  vae.setNormalisation(perChannelNormalisation(stats));
  await saveKlAutoencoder(path, vae, { info: { steps: result.step, data: train.name, config, command: `lowdiff-latent ${process.argv.slice(2).join(' ')}` } });
  out.startProgress('reconstruction PSNR', test.count);
  const q = await reconstructionPsnr(vae, test, { onProgress: (p) => out.progress(p.done, p.total ?? p.done, '') });
  out.stopProgress();
  const grid = join(flags.out, 'reconstructions.png');
  await writeReconstructionGrid(grid, vae, test, 8);
  const report = {
    vae: path,
    steps: result.step,
    parameters: vae.parameterCount(),
    latentShape: vae.latentShape(flags.size),
    trainSeconds: +(result.elapsedMs / 1000).toFixed(1),
    stats,
    test: test.name,
    testImages: q.count,
    psnr: +q.psnr.toFixed(3),
    mse: q.mse,
    backend: backend.backend,
  };
  await writeFile(join(flags.out, 'vae-report.json'), `${JSON.stringify(report, null, 2)}\n`);
  out.info(`${result.step} steps; latent ${report.latentShape.join('x')}; reconstruction PSNR on ${q.count} ${test.name} images: ${q.psnr.toFixed(2)} dB; saved ${path}; originals over reconstructions in ${grid}`);
  out.result({ event: 'done', ...report });
  vae.dispose();
}

/** The first `n` test images (top row) over their reconstructions (bottom row), as one PNG. */
async function writeReconstructionGrid(path: string, vae: KlAutoencoder, test: ImageDataset, n: number): Promise<void> {
  const count = Math.min(n, test.count);
  const { height: h, width: w, channels: c } = test;
  const originals = test.images.subarray(0, count * h * w * c);
  const decoded = tf.tidy(() => {
    const x = tf.sub(tf.div(tf.tensor4d(originals, [count, h, w, c], 'float32'), 127.5), 1) as tf.Tensor4D;
    return vae.decode(vae.encode(x)).dataSync() as Float32Array;
  });
  const both = new Uint8Array(2 * originals.length);
  both.set(originals);
  both.set(toBytes(decoded), originals.length);
  await writePng(path, imageGrid(both, 2 * count, h, w, c, { columns: count, pad: 2 }));
}
