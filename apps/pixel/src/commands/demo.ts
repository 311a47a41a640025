import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { initBackend } from '@lowdiff/backend';
import { checkPlanTraining, prepareOutDir, openRuntime, runtimeLabel, benchEntries, addFlags, benchTable, loadModelForSampling, samplingFlags, type FlagValues, Output, parseFlags, resolvePlan, runBench, withGuidanceScale, writeSamples } from '@lowdiff/cli-kit';
import { fileURLToPath } from 'node:url';

/** The checkpoint that ships with the repository (see apps/pixel/README.md for how it was made). */
// From src/commands/demo.ts (run as .ts) or from the built dist/cli.js: two levels or one below the app.
export const SHIPPED_CHECKPOINT = fileURLToPath(new URL(`${import.meta.url.endsWith('.ts') ? '../..' : '..'}/checkpoints/fmnist-lowdiff.safetensors`, import.meta.url));

const F = samplingFlags;
const DEMO_FLAGS = {
  checkpoint: { syntax: '--checkpoint <file>', help: 'checkpoint to use', schema: z.string().min(1), default: SHIPPED_CHECKPOINT },
  plan: F.plan('lowdiff-3-dpm', 'the LowDiff plan set against baseline-heun-18 (a preset or JSON, as in sample)'),
  count: F.count(100, 'samples per plan for the table', 10),
  guidance: {
    syntax: '--guidance <scale>',
    help: 'classifier-free guidance scale for both plans (the shipped checkpoint is tuned for 2)',
    schema: z.coerce.number().min(0),
    default: '2',
  },
  out: F.out('out/demo', 'where the PNGs go'),
  runtime: F.runtime(),
  threads: F.threads(),
  backend: F.backend(),
};

export function registerDemo(program: Command): void {
  const command = program
    .command('demo')
    .description('with the shipped checkpoint: LowDiff and baseline sample grids, a stage strip, and a small bench table (no training)')
    .addHelpText('after', '\nExample:\n  npx lowdiff-pixel demo --count 100 --out out/demo');
  const schema = addFlags(command, DEMO_FLAGS);
  command.action(async (raw) => demo(parseFlags(schema, raw)));
}

async function demo(flags: FlagValues<typeof DEMO_FLAGS>): Promise<void> {
  const out = new Output(false);
  await prepareOutDir(flags.out);
  const backend = await initBackend({ backend: flags.backend });
  const { model, classNames, info } = await loadModelForSampling(flags.checkpoint);
  const steps = (info as { steps?: number } | undefined)?.steps;
  const rt = await openRuntime(model, flags.runtime, flags.threads);
  if (rt.note) out.info(`runtime: tfjs (${rt.note})`);
  out.info(`checkpoint ${flags.checkpoint}${steps ? ` (${steps} training steps)` : ''}, sampling on ${rt.runtime === 'tfjs' ? `tfjs (${backend.backend})` : runtimeLabel(rt)}`);
  const top = model.resolutions[model.resolutions.length - 1];
  const plans = ['baseline-heun-18', flags.plan].map((name) => withGuidanceScale(resolvePlan(name, top), flags.guidance));
  // Both plans against what the checkpoint was trained for, before the bench samples either.
  for (const plan of plans) checkPlanTraining(model.trainedFor, plan);
  const { rows, generated } = await runBench(benchEntries(plans, [rt]), { count: flags.count, rounds: 2, seed: 0, batchSize: 64, data: 'fashion-mnist', metrics: true, stripCount: 10, onProgress: (m) => out.info(m) }, classNames);
  const files = [];
  for (const [i, g] of generated.entries()) {
    const name = i === 0 ? 'baseline' : 'lowdiff';
    const written = await writeSamples(join(flags.out, name), g, false);
    files.push(written.grid, written.strip);
  }
  out.info(`\nwrote ${files.join(', ')}`);
  out.info(`${flags.count} samples per plan (classes cycling 0-9, guidance ${flags.guidance}), metrics with ${rows[0].scores?.extractor} against ${rows[0].scores?.reference}:`);
  process.stdout.write(`${benchTable(rows)}\n`);
  await rt.close();
  model.dispose();
}
