import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@lowdiff/backend';
import { featureMatrix, FeatureStats, loadStats, mergeStats, readFeaturesNpy, saveStats, writeFeaturesNpy } from '@lowdiff/metrics';
import { CliError } from './cli-error';
import { FEATURE_BATCH, type GeneratedParts } from './evaluate';
import type { ScoreMode } from './score-mode';
import { shardFolder, type Shard } from './shard';

export const SHARD_FORMAT = 'lowdiff-shard/1';

/** What a shard folder records besides its features: what was run, which samples, how fast. */
export interface ShardManifest {
  format: typeof SHARD_FORMAT;
  command: 'eval' | 'sample';
  /** The run: every shard of one run has the same values here. */
  run: { checkpointSha256: string; plan: unknown; seed: number; count: number; shards: number; data?: string; extractor?: string; scoredAs?: ScoreMode; imageResolution: number };
  shard: Shard;
  start: number;
  end: number;
  runtime: string;
  threads: number | null;
  nfe: number;
  effectiveNfe: number;
  wallMs: number;
  labels: number[] | null;
  lowRes: GeneratedParts['lowRes'];
}

/** SHA-256 (hex) of a file, streamed: shards prove they sampled the same checkpoint. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Writes a shard folder atomically: everything goes to a temporary sibling that is renamed into
 * place, so a retried pod replaces a partial or older shard in one step. `fill` writes extra
 * files (e.g. images) into the folder before it becomes visible.
 */
export async function writeShard(dir: string, manifest: ShardManifest, parts: GeneratedParts | null, fill?: (folder: string) => Promise<void>): Promise<string> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, shardFolder(manifest.shard));
  const tmp = join(dir, `.${shardFolder(manifest.shard)}.tmp-${process.pid}-${Date.now()}`);
  await mkdir(tmp, { recursive: true });
  try {
    if (parts) {
      await saveStats(join(tmp, 'stats.ldstats'), parts.stats, { dataset: manifest.run.data ?? 'generated', shard: manifest.shard.index });
      await writeFeaturesNpy(join(tmp, 'features.npy'), parts.features);
      await writeFeaturesNpy(join(tmp, 'logits.npy'), parts.logits);
    }
    await fill?.(tmp);
    await writeFileAtomic(join(tmp, 'manifest.json'), new TextEncoder().encode(JSON.stringify(manifest, null, 1)));
    await rm(target, { recursive: true, force: true });
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return target;
}

/**
 * Reads every shard folder under `dir`, checks that they belong to one run (same checkpoint,
 * plan, seed, count, shard count, data, extractor, score mode) and cover every sample exactly once, and
 * merges them in sample order: the parts one process would have produced.
 */
export async function mergeShards(dir: string): Promise<{ manifests: ShardManifest[]; parts: GeneratedParts }> {
  if (!existsSync(dir)) throw new CliError(`merge: no such folder ${dir}`);
  const folders = (await readdir(dir)).filter((f) => /^shard-\d+-of-\d+$/.test(f)).sort();
  if (folders.length === 0) throw new CliError(`merge: ${dir} holds no shard folders (shard-NNNN-of-NNNN, written by eval --shard-out)`);
  const manifests: ShardManifest[] = [];
  for (const f of folders) {
    let m: ShardManifest;
    try {
      m = JSON.parse(await readFile(join(dir, f, 'manifest.json'), 'utf8')) as ShardManifest;
    } catch (err) {
      throw new CliError(`merge: ${join(dir, f)}: no readable manifest.json (${(err as Error).message.split('\n')[0]}); an interrupted shard leaves none - run it again`);
    }
    if (m.format !== SHARD_FORMAT || m.command !== 'eval') throw new CliError(`merge: ${join(dir, f)} is not an eval shard (format ${JSON.stringify(m.format)}, command ${JSON.stringify(m.command)})`);
    // Eval shards written before the score modes existed scored the raw floats.
    manifests.push({ ...m, run: { ...m.run, scoredAs: m.run.scoredAs ?? 'raw' } });
  }
  const first = manifests[0];
  for (const [i, m] of manifests.entries())
    for (const key of Object.keys(first.run) as (keyof ShardManifest['run'])[])
      if (JSON.stringify(m.run[key]) !== JSON.stringify(first.run[key]))
        throw new CliError(`merge: ${folders[i]} is from another run than ${folders[0]}: ${key} ${JSON.stringify(m.run[key])} vs ${JSON.stringify(first.run[key])}${key === 'scoredAs' ? ' (eval --score)' : ''}`);
  const byIndex = new Map<number, string[]>();
  manifests.forEach((m, i) => byIndex.set(m.shard.index, [...(byIndex.get(m.shard.index) ?? []), folders[i]]));
  const duplicated = [...byIndex].filter(([, fs]) => fs.length > 1);
  if (duplicated.length > 0) throw new CliError(`merge: duplicated shard(s): ${duplicated.map(([i, fs]) => `${i} in ${fs.join(' and ')}`).join('; ')}`);
  const n = first.run.shards;
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) throw new CliError(`merge: missing shard(s) ${missing.join(', ')} of ${n} in ${dir}`);
  manifests.sort((a, b) => a.start - b.start);
  let next = 0;
  for (const m of manifests) {
    if (m.start !== next) throw new CliError(`merge: samples ${next}..${m.start - 1} are in no shard (or in two)`);
    next = m.end;
  }
  if (next !== first.run.count) throw new CliError(`merge: the shards cover ${next} of ${first.run.count} samples`);

  const extractor = first.run.extractor ?? 'features';
  const stats = [];
  const features: Float32Array[] = [];
  const logits: Float32Array[] = [];
  let featureDim = 0;
  let logitDim = 0;
  for (const m of manifests) {
    const folder = join(dir, shardFolder(m.shard));
    stats.push(await loadStats(join(folder, 'stats.ldstats')));
    const f = await readFeaturesNpy(join(folder, 'features.npy'), extractor);
    const l = await readFeaturesNpy(join(folder, 'logits.npy'), extractor);
    if (f.rows !== m.end - m.start) throw new CliError(`merge: ${folder} holds ${f.rows} feature rows for ${m.end - m.start} samples`);
    features.push(Float32Array.from(f.data));
    logits.push(Float32Array.from(l.data));
    featureDim = f.dim;
    logitDim = l.dim;
  }
  const concat = (parts: Float32Array[]) => {
    const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
    return out;
  };
  const labels = manifests.every((m) => m.labels) ? manifests.flatMap((m) => m.labels!) : null;
  const lowRes = manifests.every((m) => m.lowRes)
    ? manifests.reduce((a, m) => ({ images: a.images + m.lowRes!.images, psnrSum: a.psnrSum + m.lowRes!.psnrSum }), { images: 0, psnrSum: 0 })
    : null;
  // The shards' statistics merge exactly as sums; rebuilt from the features in the chunks one
  // process would have used, they are bit for bit that process's (FID of a near-singular
  // covariance amplifies the last bits of a different summation order).
  const allFeatures = concat(features);
  const merged = stats.length === 1 ? stats[0] : mergeStats(stats[0], stats[1], ...stats.slice(2));
  const rebuilt = new FeatureStats(merged.extractor, featureDim);
  for (let r = 0; r < first.run.count; r += FEATURE_BATCH) rebuilt.add(allFeatures.subarray(r * featureDim, Math.min(first.run.count, r + FEATURE_BATCH) * featureDim));
  if (rebuilt.count !== merged.count) throw new CliError(`merge: the shards' statistics count ${merged.count} samples, their features ${rebuilt.count}`);
  return {
    manifests,
    parts: {
      count: first.run.count,
      scoredAs: first.run.scoredAs!,
      stats: rebuilt,
      features: featureMatrix(extractor, allFeatures, featureDim),
      logits: featureMatrix(extractor, concat(logits), logitDim),
      labels,
      lowRes,
    },
  };
}
