import type { Command } from 'commander';
import { z } from 'zod';
import { BackendNameSchema, initBackend } from '@lowdiff/backend';
import { loadDataset } from '@lowdiff/data';
import { loadShippedClassifier } from '@lowdiff/metrics';
import type { EdmDenoiser } from '@lowdiff/model';
import type { ResolvedCascadePlan } from '@lowdiff/sampler';
import { parseFlags } from '../cli-error';
import { classLabels, loadModelForSampling } from '../checkpoint-model';
import { referenceFeatures, score, type Scores } from '../evaluate';
import { concatGenerated, generate, sizeOptions, type Generated } from '../generate';
import { Output } from '../output';
import { resolvePlan } from '../presets';
import { defaultExtractor } from './eval';
import { withGuidanceScale } from './sample';

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
    metrics: z.boolean().default(true),
    backend: BackendNameSchema.default('auto'),
    json: z.boolean().default(false),
  })
  .strict();

export interface BenchRow {
  plan: string;
  nfePerStage: string;
  nfe: number;
  effectiveNfe: number;
  imagesPerSec: number;
  speedup: number;
  scores: Scores | null;
}

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
    .option('--no-metrics', 'speed only')
    .option('--backend <name>', 'auto | wasm | cpu | tensorflow | tensorflow-gpu | webgpu', 'auto')
    .option('--json', 'print the rows as JSON on stdout')
    .action(async (raw) => benchCommand(parseFlags(BenchFlags, raw)));
}

export interface BenchOptions {
  count: number;
  rounds: number;
  seed: number;
  batchSize: number;
  data: string;
  extractor?: string;
  metrics: boolean;
  /** Keep each stage's output for this many samples of the first round (stage strips). */
  stripCount?: number;
  onProgress?: (message: string) => void;
}

/** Runs the plans interleaved (round r samples indices [r*m, (r+1)*m) of every plan), then scores each. */
export async function runBench(
  model: EdmDenoiser,
  plans: ResolvedCascadePlan[],
  o: BenchOptions,
  classNames?: string[],
): Promise<{ rows: BenchRow[]; generated: Generated[] }> {
  const labels = classLabels('all', o.count, model.numClasses, classNames);
  const parts: Generated[][] = plans.map(() => []);
  const stripCount = o.stripCount ?? 0;
  const per = Math.ceil(o.count / o.rounds);
  for (let r = 0; r * per < o.count; r++) {
    const first = r * per;
    const n = Math.min(per, o.count - first);
    for (const [i, plan] of plans.entries()) {
      o.onProgress?.(`round ${r + 1}: ${plan.name} (${n} samples)`);
      parts[i].push(
        await generate(model, plan, { count: n, seed: o.seed, firstIndex: first, labels: labels?.slice(first, first + n), batchSize: o.batchSize, stripCount: r === 0 ? stripCount : 0 }),
      );
    }
  }
  const gens = parts.map(concatGenerated);
  let ref = null;
  let extractor = null;
  if (o.metrics) {
    ({ extractor } = await loadShippedClassifier(o.extractor ?? defaultExtractor(o.data)));
    o.onProgress?.(`reference features with ${extractor.name}`);
    ref = await referenceFeatures(extractor, await loadDataset(o.data, { split: 'test', ...sizeOptions(gens[0].resolution) }));
  }
  const rows: BenchRow[] = [];
  for (const [i, g] of gens.entries()) {
    if (ref) o.onProgress?.(`scoring ${plans[i].name}`);
    const ips = (g.count * 1000) / g.wallMs;
    rows.push({
      plan: plans[i].name ?? `plan ${i + 1}`,
      nfePerStage: g.stages.map((s) => `${s.resolution}:${s.nfe}`).join(' '),
      nfe: g.nfe,
      effectiveNfe: g.effectiveNfe,
      imagesPerSec: ips,
      speedup: ips / ((gens[0].count * 1000) / gens[0].wallMs),
      scores: ref ? await score(g, ref) : null,
    });
  }
  extractor?.dispose();
  return { rows, generated: gens };
}

export function benchTable(rows: BenchRow[]): string {
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${(100 * v).toFixed(1)} %`);
  const lines = [
    '| plan | NFE per stage | NFE | effective NFE | images/s | speed-up | FID | KID | cond. acc. | low-res PSNR |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.plan} | ${r.nfePerStage} | ${r.nfe} | ${r.effectiveNfe.toFixed(2)} | ${r.imagesPerSec.toFixed(2)} | ${r.speedup.toFixed(2)}x | ${r.scores ? r.scores.fid.toFixed(3) : '-'} | ${r.scores ? r.scores.kid.toFixed(4) : '-'} | ${pct(r.scores?.conditionalAccuracy)} | ${r.scores?.lowResPsnr != null ? r.scores.lowResPsnr.toFixed(2) + ' dB' : '-'} |`,
    );
  return lines.join('\n');
}

async function benchCommand(flags: z.output<typeof BenchFlags>): Promise<void> {
  const out = new Output(flags.json);
  const backend = await initBackend({ backend: flags.backend });
  const { model, classNames } = await loadModelForSampling(flags.checkpoint);
  const top = model.resolutions[model.resolutions.length - 1];
  const plans = splitPlans(flags.plans).map((p) => withGuidanceScale(resolvePlan(p, top), flags.guidance));
  const { rows } = await runBench(model, plans, { ...flags, onProgress: (m) => out.info(m) }, classNames);
  const extractor = rows[0].scores?.extractor;
  out.info(`\n${flags.count} samples per plan, ${flags.rounds} interleaved rounds, backend ${backend.backend}${extractor ? `, metrics with ${extractor} against ${rows[0].scores!.reference}` : ''}`);
  if (!flags.json) process.stdout.write(`${benchTable(rows)}\n`);
  out.result({ backend: backend.backend, count: flags.count, rounds: flags.rounds, rows });
  model.dispose();
}

/** Splits a comma-separated plan list, leaving commas inside inline JSON plans alone. */
export function splitPlans(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of list) {
    if (ch === '{' || ch === '[') depth++;
    if (ch === '}' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
