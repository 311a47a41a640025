import type { Command } from 'commander';
import { initBackend } from '@lowdiff/backend';
import { openRuntime, runtimeLabel, benchEntries, addFlags, flagGroups, benchTable, loadModelForSampling, samplingFlags, type FlagValues, Output, parseFlags, resolvePlan, runBench, SamplingPool, splitPlans, withGuidanceScale } from '@lowdiff/cli-kit';

const F = samplingFlags;
const BENCH_FLAGS = {
  checkpoint: F.checkpoint('a .safetensors checkpoint'),
  plans: F.plans('baseline-heun-18,lowdiff-3'),
  ...flagGroups.bench(),
  workers: F.workers(),
  metrics: F.metrics(),
  runtime: F.runtimes(),
  threads: F.threads(),
  backend: F.backend(),
  json: F.json('print the rows as JSON on stdout'),
};

export function registerBench(program: Command): void {
  const command = program
    .command('bench')
    .description('several plans on one checkpoint, interleaved in one process: speed, effective NFE and quality side by side')
    .addHelpText('after', '\nExample:\n  npx lowdiff-pixel bench --checkpoint apps/pixel/checkpoints/fmnist-lowdiff.safetensors --plans baseline-heun-18,lowdiff-3-sdedit --count 500 --guidance 2   # --runtime ort,tfjs compares runtimes');
  const schema = addFlags(command, BENCH_FLAGS);
  command.action(async (raw) => benchCommand(parseFlags(schema, raw)));
}

async function benchCommand(flags: FlagValues<typeof BENCH_FLAGS>): Promise<void> {
  const out = new Output(flags.json);
  const backend = await initBackend({ backend: flags.backend });
  const { model, classNames } = await loadModelForSampling(flags.checkpoint);
  const top = model.resolutions[model.resolutions.length - 1];
  const plans = splitPlans(flags.plans).map((p) => withGuidanceScale(resolvePlan(p, top), flags.guidance));
  const runtimes = [];
  for (const name of flags.runtime) {
    const rt = await openRuntime(model, name, flags.threads, flags.workers);
    if (rt.note) out.info(`runtime: tfjs (${rt.note})`);
    runtimes.push(rt);
  }
  const pool = flags.workers > 1 ? new SamplingPool({ checkpoint: flags.checkpoint, backend: backend.backend }, flags.workers) : undefined;
  const entries = benchEntries(plans, runtimes);
  const { rows } = await runBench(entries, { ...flags, pool, onProgress: (m) => out.info(m) }, classNames).finally(() => pool?.close());
  const extractor = rows[0].scores?.extractor;
  out.info(`\n${flags.count} samples per plan, ${flags.rounds} interleaved rounds, ${runtimes.map(runtimeLabel).join(' vs ')}${pool ? ` in ${flags.workers} worker threads` : ''}${extractor ? `, metrics with ${extractor} against ${rows[0].scores!.reference}` : ''}`);
  if (!flags.json) process.stdout.write(`${benchTable(rows)}\n`);
  out.result({ backend: backend.backend, runtimes: runtimes.map((r) => ({ runtime: r.runtime, threads: r.threads })), workers: flags.workers, count: flags.count, rounds: flags.rounds, rows });
  for (const rt of runtimes) await rt.close();
  model.dispose();
}

