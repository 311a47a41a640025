import type { Command } from 'commander';
import { z } from 'zod';
import { REFERENCE_DIT_LATENT, readSafetensorsFile } from '@lowdiff/model';
import { addTrainOptions, CliError, loadVae, parseFlags, pixelSpaceResampler, trainCommand, TrainFlagsSchema, vaePathFor } from '@lowdiff/cli-kit';
import { loadLatentCache } from '../latent-cache';

const Flags = TrainFlagsSchema.extend({
  latents: z.string().min(1),
  stages: z.string().default('lowdiff-2'),
  conditionSpace: z.enum(['latent', 'pixel']).default('latent'),
}).strict();

/** `train` in latent space: the shared command, on a latent cache, with the reference latent DiT. */
export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .description('train the unified LowDiff model on cached latents (DiT by default; resumable; Ctrl-C saves)')
    .addHelpText('after', '\nExample:\n  npx lowdiff-latent train --latents runs/latents.safetensors --out runs/ldit --steps 5000')
    .requiredOption('--latents <file>', 'a latent cache written by encode (required)')
    .option('--condition-space <space>', 'where conditions change resolution: latent (resize latents) | pixel (decode, resize, encode)', 'latent');
  addTrainOptions(command, { stages: 'lowdiff-2', what: 'latents' }).action(async (raw) => {
    const flags = parseFlags(Flags, raw);
    await trainCommand('lowdiff-latent', flags, async (resumeFrom) => {
      const { data, info } = await loadLatentCache(flags.latents);
      if (data.height !== data.width) throw new CliError(`--latents: ${data.height}x${data.width} latents; the cascade needs square ones`);
      // A resumed run keeps the condition space it was started with.
      const space = resumeFrom ? (JSON.parse((await readSafetensorsFile(resumeFrom)).metadata.info ?? '{}').conditionSpace ?? 'latent') : flags.conditionSpace;
      const vae = space === 'pixel' ? await loadVae(vaePathFor(undefined, info)) : null;
      return {
        data,
        resolution: data.height,
        model: REFERENCE_DIT_LATENT,
        resampler: vae ? pixelSpaceResampler(vae) : undefined,
        info: { conditionSpace: space, vae: info.vae, adapter: info.adapter, latents: flags.latents, imageData: info.data },
        describe: `training on ${data.name}: ${data.count} latents of ${data.height}x${data.width}x${data.channels}, VAE ${info.vae}`,
        dispose: () => vae?.dispose(),
      };
    });
  });
}
