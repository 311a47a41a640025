import type { Command } from 'commander';
import { z } from 'zod';
import { loadDataset, parseDatasetSpec } from '@lowdiff/data';
import { REFERENCE_UNET_32 } from '@lowdiff/model';
import { addTrainOptions, parseFlags, sizeOptions, trainCommand, TrainFlagsSchema } from '@lowdiff/cli-kit';

const Flags = TrainFlagsSchema.extend({
  data: z.string().min(1),
  stages: z.string().default('lowdiff-3'),
  size: z.coerce.number().int().min(8).default(32),
  limit: z.coerce.number().int().min(1).optional(),
}).strict();

/** `train` in pixel space: the shared command, on an image data set, with the reference UNet. */
export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .description('train a unified LowDiff model on a data set (resumable; Ctrl-C saves a checkpoint)')
    .addHelpText('after', '\nExample:\n  npx lowdiff-pixel train --data fashion-mnist --out runs/fmnist --steps 20000   # Ctrl-C saves, --resume continues')
    .requiredOption('--data <spec>', 'fashion-mnist | mnist | cifar10:<dir> | folder:<dir> (required)')
    .option('--size <px>', 'image size (data is padded or resized to it)', '32')
    .option('--limit <n>', 'use only n training images (seeded subset)');
  addTrainOptions(command, { stages: 'lowdiff-3', what: 'images' }).action(async (raw) => {
    const flags = parseFlags(Flags, raw);
    await trainCommand('lowdiff-pixel', flags, async () => {
      const data = await loadDataset(parseDatasetSpec(flags.data), { split: 'train', ...sizeOptions(flags.size), ...(flags.limit ? { limit: flags.limit } : {}) });
      return { data, resolution: flags.size, model: REFERENCE_UNET_32, info: {}, describe: `training on ${data.name}: ${data.count} images of ${data.height}x${data.width}x${data.channels}` };
    });
  });
}
