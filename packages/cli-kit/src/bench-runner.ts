import type { SamplingDenoiser } from '@lowdiff/model';
import { loadDataset } from '@lowdiff/data';
import { loadShippedClassifier } from '@lowdiff/metrics';
import type { ResolvedCascadePlan } from '@lowdiff/sampler';
import { classLabels } from './checkpoint-model';
import { CliError } from './cli-error';
import { defaultExtractor, referenceFeatures, score, type Scores } from './evaluate';
import { concatGenerated, generate, imagesPerSecond, sizeOptions, type Generated, type GenerateOptions } from './generate';
import { planFamily } from './plan-family';
import type { SamplingPool } from './sampling-pool';
import { DEFAULT_SCORE_MODE, scoredAsText, type ScoreMode } from './score-mode';

export interface BenchRow {
  plan: string;
  /** The runtime the row sampled on, where the bench compares several. */
  runtime?: string;
  /** The plan's sampler family (planFamily): one curve of a frontier plot. */
  family: string;
  nfePerStage: string;
  nfe: number;
  effectiveNfe: number;
  imagesPerSec: number;
  speedup: number;
  scores: Scores | null;
}

export interface BenchOptions {
  count: number;
  rounds: number;
  seed: number;
  batchSize: number;
  data: string;
  extractor?: string;
  metrics: boolean;
  /** What the metrics score (default `png`: the images as saved). */
  score?: ScoreMode;
  /** Keep each stage's output for this many samples of the first round (stage strips). */
  stripCount?: number;
  onProgress?: (message: string) => void;
  /** Latent-space models: decodes latents to images before timing ends and before scoring (see GenerateOptions.decode). */
  decode?: GenerateOptions['decode'];
  /** Replaces upsampling between stages (see GenerateOptions.resample). */
  resample?: GenerateOptions['resample'];
  /**
   * Samples in these worker threads instead of this one (pixel-space models: the hooks above
   * cannot cross threads). images/s is then the pool's: each worker's rate times the workers.
   */
  pool?: SamplingPool;
}

/** One row of a bench: a plan sampled on a runtime. */
export interface BenchEntry {
  plan: ResolvedCascadePlan;
  model: SamplingDenoiser;
  /** The runtime's name, shown beside the plan's when the bench compares runtimes. */
  runtime?: string;
}

/** Every plan on every runtime, runtime by runtime (the first entry is the baseline of the speed-up). */
export function benchEntries(plans: ResolvedCascadePlan[], runtimes: { runtime: string; denoiser: SamplingDenoiser }[]): BenchEntry[] {
  return runtimes.flatMap((r) => plans.map((plan) => ({ plan, model: r.denoiser, runtime: runtimes.length > 1 ? r.runtime : undefined })));
}

/**
 * Runs the entries interleaved (round r samples indices [r*m, (r+1)*m) of every entry), then
 * scores each. `benchEntries` makes entries for plans on one or several runtimes.
 */
export async function runBench(entries: BenchEntry[], o: BenchOptions, classNames?: string[]): Promise<{ rows: BenchRow[]; generated: Generated[] }> {
  // Checked before any sampling: precision/recall needs more samples than its k = 3 neighbours.
  if (o.metrics && o.count < 4) throw new CliError(`--count: scoring needs at least 4 samples per plan (precision/recall compares k = 3 neighbours); got ${o.count} (--no-metrics for speed only)`);
  const plans = entries.map((e) => e.plan);
  const labels = classLabels('all', o.count, entries[0].model.numClasses, classNames);
  const parts: Generated[][] = plans.map(() => []);
  const stripCount = o.stripCount ?? 0;
  const per = Math.ceil(o.count / o.rounds);
  if (o.pool && (o.decode || o.resample)) throw new Error('runBench: a sampling pool cannot run decode/resample hooks');
  const tasks: { round: number; plan: number; first: number; n: number }[] = [];
  for (let r = 0; r * per < o.count; r++)
    for (const i of plans.keys()) tasks.push({ round: r, plan: i, first: r * per, n: Math.min(per, o.count - r * per) });
  let done = 0;
  const label = (i: number) => `${plans[i].name ?? `plan ${i + 1}`}${entries[i].runtime ? ` [${entries[i].runtime}]` : ''}`;
  const runTask = async (t: (typeof tasks)[number]) => {
    const request = { count: t.n, seed: o.seed, firstIndex: t.first, labels: labels?.slice(t.first, t.first + t.n), batchSize: o.batchSize, stripCount: t.round === 0 ? stripCount : 0 };
    if (!o.pool) o.onProgress?.(`round ${t.round + 1}: ${label(t.plan)} (${t.n} samples)`);
    const g = o.pool ? await o.pool.run({ ...request, plan: plans[t.plan] }) : await generate(entries[t.plan].model, plans[t.plan], { ...request, decode: o.decode, resample: o.resample });
    if (o.pool) o.onProgress?.(`${++done}/${tasks.length} done: round ${t.round + 1} of ${label(t.plan)} (${t.n} samples)`);
    return g;
  };
  // A pool takes every task at once and runs them in order; one thread runs them one by one.
  const results = o.pool ? await Promise.all(tasks.map(runTask)) : [];
  if (!o.pool) for (const t of tasks) results.push(await runTask(t));
  for (const [k, t] of tasks.entries()) parts[t.plan].push(results[k]);
  const gens = parts.map(concatGenerated);
  let ref = null;
  let extractor = null;
  if (o.metrics) {
    ({ extractor } = await loadShippedClassifier(o.extractor ?? defaultExtractor(o.data)));
    o.onProgress?.(`reference features with ${extractor.name}`);
    ref = await referenceFeatures(extractor, await loadDataset(o.data, { split: 'test', ...sizeOptions(gens[0].resolution) }));
  }
  const rate = (g: Generated) => imagesPerSecond(g, o.pool?.workers);
  const rows: BenchRow[] = [];
  for (const [i, g] of gens.entries()) {
    if (ref) o.onProgress?.(`scoring ${label(i)}`);
    const ips = rate(g);
    rows.push({
      plan: plans[i].name ?? `plan ${i + 1}`,
      ...(entries[i].runtime ? { runtime: entries[i].runtime } : {}),
      family: planFamily(plans[i]),
      nfePerStage: g.stages.map((s) => `${s.resolution}:${s.nfe}`).join(' '),
      nfe: g.nfe,
      effectiveNfe: g.effectiveNfe,
      imagesPerSec: ips,
      speedup: ips / rate(gens[0]),
      scores: ref ? await score(g, ref, { scoredAs: o.score ?? DEFAULT_SCORE_MODE }) : null,
    });
  }
  extractor?.dispose();
  return { rows, generated: gens };
}

/** The rows as a markdown table, below a caption saying how they were scored (when they were). */
export function benchTable(rows: BenchRow[]): string {
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${(100 * v).toFixed(1)} %`);
  const lines = [
    '| plan | NFE per stage | NFE | effective NFE | images/s | speed-up | FID | KID | cond. acc. | low-res PSNR |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.plan}${r.runtime ? ` [${r.runtime}]` : ''} | ${r.nfePerStage} | ${r.nfe} | ${r.effectiveNfe.toFixed(2)} | ${r.imagesPerSec.toFixed(2)} | ${r.speedup.toFixed(2)}x | ${r.scores ? r.scores.fid.toFixed(3) : '-'} | ${r.scores ? r.scores.kid.toFixed(4) : '-'} | ${pct(r.scores?.conditionalAccuracy)} | ${r.scores?.lowResPsnr != null ? r.scores.lowResPsnr.toFixed(2) + ' dB' : '-'} |`,
    );
  const scored = rows.find((r) => r.scores)?.scores;
  const caption = scored ? [`FID, KID and cond. acc. ${scoredAsText(scored.scoredAs)}; low-res PSNR on the sampler's floats.`, ''] : [];
  return [...caption, ...lines].join('\n');
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
