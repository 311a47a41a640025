import { readFileSync, existsSync } from 'node:fs';
import { parseCascadePlan, planPresets, planSweeps, type ResolvedCascadePlan } from '@lowdiff/sampler';
import type { TrainingConfigInput } from '@lowdiff/trainer';
import { CliError } from './cli-error';

// The named sampling plans live in @lowdiff/sampler (a web page uses them too).
export { planPresets, planSweeps, withGuidanceScale } from '@lowdiff/sampler';

type Stages = TrainingConfigInput['stages'];

/** Training stage mixes by name, for a model whose top resolution is `r`. */
export function stagePreset(name: string, r: number): Stages {
  const uncond = (res: number) => ({ resolution: res, probability: 1, conditioned: false });
  const cond = (res: number) => ({ resolution: res, probability: 1, conditioned: true });
  switch (name) {
    case 'lowdiff-3':
      return [uncond(r / 4), cond(r / 2), cond(r), uncond(r)];
    case 'lowdiff-2':
      return [uncond(r / 2), cond(r), uncond(r)];
    case 'baseline':
      return [uncond(r)];
    default:
      throw new CliError(`--stages: unknown preset '${name}' (lowdiff-3, lowdiff-2, baseline, or a JSON array)`);
  }
}

export const STAGE_PRESETS = ['lowdiff-3', 'lowdiff-2', 'baseline'];

/** A plan from a preset name, a JSON file, or inline JSON. */
export function resolvePlan(spec: string, r: number): ResolvedCascadePlan {
  const presets = planPresets(r);
  if (Object.hasOwn(presets, spec)) return presets[spec]();
  let text = spec;
  if (!spec.trim().startsWith('{')) {
    if (!existsSync(spec)) throw new CliError(`--plan: '${spec}' is neither a preset (${Object.keys(presets).join(', ')}) nor a file`);
    text = readFileSync(spec, 'utf8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CliError(`--plan: not valid JSON (${(err as Error).message})`);
  }
  try {
    const plan = parseCascadePlan(json);
    return { ...plan, name: plan.name ?? 'custom' };
  } catch (err) {
    throw new CliError(`--plan: ${(err as Error).message}`);
  }
}

/**
 * A bench's plan list with sweeps (`frontier`) and globs over preset names (`baseline-*`,
 * `*-sdedit`; only `*` is special) expanded to preset names, each plan once, where first named.
 * Other entries (a preset, a file, inline JSON) pass through for `resolvePlan`.
 */
export function expandPlans(specs: readonly string[], r: number): string[] {
  const names = Object.keys(planPresets(r));
  const sweeps = planSweeps();
  const out: string[] = [];
  for (const spec of specs) {
    let expanded = [spec];
    if (Object.hasOwn(sweeps, spec)) expanded = sweeps[spec];
    else if (spec.includes('*') && !spec.trim().startsWith('{')) {
      const pattern = new RegExp(`^${spec.split('*').map(escapeRegExp).join('.*')}$`);
      expanded = names.filter((name) => pattern.test(name));
      if (expanded.length === 0) throw new CliError(`--plans: '${spec}' matches no preset (${names.join(', ')})`);
    }
    for (const name of expanded) if (!out.includes(name)) out.push(name);
  }
  return out;
}

const escapeRegExp = (text: string) => text.replace(/[.+?^$()|[\]{}\\]/g, '\\$&');
