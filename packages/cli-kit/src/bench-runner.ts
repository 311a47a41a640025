import type { EdmDenoiser } from '@lowdiff/model';
import { loadDataset } from '@lowdiff/data';
import { loadShippedClassifier } from '@lowdiff/metrics';
import type { ResolvedCascadePlan } from '@lowdiff/sampler';
import { classLabels } from './checkpoint-model';
import { defaultExtractor, referenceFeatures, score, type Scores } from './evaluate';
import { concatGenerated, generate, sizeOptions, type Generated, type GenerateOptions } from './generate';

export interface BenchRow {
  plan: string;
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
  /** Keep each stage's output for this many samples of the first round (stage strips). */
  stripCount?: number;
  onProgress?: (message: string) => void;
  /** Latent-space models: decodes latents to images before timing ends and before scoring (see GenerateOptions.decode). */
  decode?: GenerateOptions['decode'];
  /** Replaces upsampling between stages (see GenerateOptions.resample). */
  resample?: GenerateOptions['resample'];
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
        await generate(model, plan, { count: n, seed: o.seed, firstIndex: first, labels: labels?.slice(first, first + n), batchSize: o.batchSize, stripCount: r === 0 ? stripCount : 0, decode: o.decode, resample: o.resample }),
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
