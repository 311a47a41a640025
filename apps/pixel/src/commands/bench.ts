import type { Command } from 'commander';
import { z } from 'zod';
import { BackendNameSchema, initBackend } from '@lowdiff/backend';
import { benchTable, loadModelForSampling, Output, parseFlags, resolvePlan, runBench, SamplingPool, splitPlans, withGuidanceScale } from '@lowdiff/cli-kit';

const BenchFlags = z
  .object({
    checkpoint: z.string().min(1),
    plans: z.string().default('baseline-heun-18,lowdiff-3'),
    count: z.coerce.number().int().min(2).default(500),
    rounds: z.coerce.number().int().min(1).default(4),
    seed: z.coerce.number().int().default(0),
    guidance: z.coerce.number().min(0).optional(),
    data: z.enum(['fashion-mnist', 'mnist']).default('fashion-mnist'),
    extractor: z.enum(['classifier-fmnist', 'classifier-mnist']).optional(),
    batchSize: z.coerce.number().int().min(1).default(64),
    workers: z.coerce.number().int().min(1).max(64).default(1),
    metrics: z.boolean().default(true),
    backend: BackendNameSchema.default('auto'),
    json: z.boolean().default(false),
  })
  .strict();

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('several plans on one checkpoint, interleaved in one process: speed, effective NFE and quality side by side')
    .requiredOption('--checkpoint <file>', 'a .safetensors checkpoint')
    .option('--plans <list>', 'comma-separated plans; the first is the baseline for the speed-up', 'baseline-heun-18,lowdiff-3')
    .option('--count <n>', 'samples per plan', '500')
    .option('--rounds <n>', 'interleave the plans over this many rounds (machine noise hits all alike)', '4')
    .option('--seed <n>', 'sampling seed (every plan gets the same seeds and classes)', '0')
    .option('--guidance <scale>', 'classifier-free guidance scale for every stage of every plan')
    .option('--data <name>', 'reference data set (test split): fashion-mnist | mnist', 'fashion-mnist')
    .option('--extractor <name>', 'classifier-fmnist | classifier-mnist (default: the one for --data)')
    .option('--batch-size <n>', 'sampling batch size', '64')
    .option('--workers <n>', 'sample in this many worker threads (wasm uses one core each; the images stay the same)', '1')
    .option('--no-metrics', 'speed only')
    .option('--backend <name>', 'auto | wasm | cpu | tensorflow | tensorflow-gpu | webgpu', 'auto')
    .option('--json', 'print the rows as JSON on stdout')
    .action(async (raw) => benchCommand(parseFlags(BenchFlags, raw)));
}

async function benchCommand(flags: z.output<typeof BenchFlags>): Promise<void> {
  const out = new Output(flags.json);
  const backend = await initBackend({ backend: flags.backend });
  const { model, classNames } = await loadModelForSampling(flags.checkpoint);
  const top = model.resolutions[model.resolutions.length - 1];
  const plans = splitPlans(flags.plans).map((p) => withGuidanceScale(resolvePlan(p, top), flags.guidance));
  const pool = flags.workers > 1 ? new SamplingPool({ checkpoint: flags.checkpoint, backend: backend.backend }, flags.workers) : undefined;
  const { rows } = await runBench(model, plans, { ...flags, pool, onProgress: (m) => out.info(m) }, classNames).finally(() => pool?.close());
  const extractor = rows[0].scores?.extractor;
  out.info(`\n${flags.count} samples per plan, ${flags.rounds} interleaved rounds, backend ${backend.backend}${pool ? ` in ${flags.workers} worker threads` : ''}${extractor ? `, metrics with ${extractor} against ${rows[0].scores!.reference}` : ''}`);
  if (!flags.json) process.stdout.write(`${benchTable(rows)}\n`);
  out.result({ backend: backend.backend, workers: flags.workers, count: flags.count, rounds: flags.rounds, rows });
  model.dispose();
}

