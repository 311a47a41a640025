import type { Command } from 'commander';
import { initBackend } from '@lowdiff/backend';
import { openRuntime, runtimeLabel, benchEntries, type SamplingRuntime, addFlags, flagGroups, benchTable, Output, samplingFlags, type FlagValues, parseFlags, resolvePlan, runBench, splitPlans, withGuidanceScale } from '@lowdiff/cli-kit';
import { loadLatentModel } from '../latent-model';

const F = samplingFlags;
const BENCH_FLAGS = {
  checkpoint: F.checkpoint('a latent .safetensors checkpoint'),
  vae: F.vae(),
  plans: F.plans('baseline-heun-18,lowdiff-2', 'comma-separated plans at latent resolutions; the first is the baseline for the speed-up'),
  ...flagGroups.bench(),
  metrics: F.metrics(),
  runtime: F.runtimes(),
  threads: F.threads(),
  backend: F.backend(),
  json: F.json('print the rows as JSON on stdout'),
};

export function registerBench(program: Command): void {
  const command = program
    .command('bench')
    .description('several latent plans on one checkpoint, interleaved in one process: speed (decode included), effective NFE and quality side by side')
    .addHelpText('after', '\nExample:\n  npx lowdiff-latent bench --checkpoint runs/ldit/train.safetensors --plans baseline-heun-18,lowdiff-2 --count 500');
  const schema = addFlags(command, BENCH_FLAGS);
  command.action(async (raw) => benchCommand(parseFlags(schema, raw)));
}

async function benchCommand(flags: FlagValues<typeof BENCH_FLAGS>): Promise<void> {
  const out = new Output(flags.json);
  const backend = await initBackend({ backend: flags.backend });
  const lm = await loadLatentModel(flags.checkpoint, flags.vae);
  const runtimes: SamplingRuntime[] = [];
  try {
    for (const name of flags.runtime) {
      const rt = await openRuntime(lm.model, name, flags.threads);
      if (rt.note) out.info(`runtime: tfjs (${rt.note})`);
      runtimes.push(rt);
    }
    const plans = splitPlans(flags.plans).map((p) => withGuidanceScale(resolvePlan(p, lm.latentResolution), flags.guidance));
    const { rows } = await runBench(benchEntries(plans, runtimes), { ...flags, decode: lm.decode, resample: lm.resample, onProgress: (m) => out.info(m) }, lm.classNames);
    const extractor = rows[0].scores?.extractor;
    out.info(
      `\n${flags.count} samples per plan, ${flags.rounds} interleaved rounds, ${runtimes.map(runtimeLabel).join(' vs ')}, latent ${lm.latentResolution}x${lm.latentResolution} decoded to ${lm.imageResolution}x${lm.imageResolution}${extractor ? `, metrics with ${extractor} against ${rows[0].scores!.reference}` : ''}`,
    );
    if (!flags.json) process.stdout.write(`${benchTable(rows)}\n`);
    out.result({ backend: backend.backend, runtimes: runtimes.map((r) => ({ runtime: r.runtime, threads: r.threads })), count: flags.count, rounds: flags.rounds, latentResolution: lm.latentResolution, rows });
  } finally {
    for (const rt of runtimes) await rt.close();
    lm.dispose();
  }
}
