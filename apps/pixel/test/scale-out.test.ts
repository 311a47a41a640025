import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, lastJson, MULTI_COMMAND_TEST_TIMEOUT_MS, resolveShard, shardRange } from '@lowdiff/cli-kit';

const ROOT = join(__dirname, '..', '..', '..');
const cli = cliRunner(join(__dirname, '..', 'bin', 'lowdiff-pixel.mjs'));
const CHECKPOINT = join(ROOT, 'apps/pixel/checkpoints/fmnist-lowdiff.safetensors');
// A short plan over the shipped checkpoint: the merge must reproduce one process exactly, which
// needs no quality; 24 samples keep 10 CLI runs quick.
const PLAN = JSON.stringify({ name: 'tiny', stages: [{ resolution: 8, steps: 3 }, { resolution: 16, steps: 2, start: { kind: 'upsampled', sigmaStart: 3 } }, { resolution: 32, steps: 2, start: { kind: 'upsampled', sigmaStart: 3 } }] });
const RUN = ['--checkpoint', CHECKPOINT, '--plan', PLAN, '--count', '24', '--seed', '5', '--guidance', '2', '--backend', 'wasm', '--json'];

let dir: string;
/** The one-process `eval` of RUN (default scoring), for the tests after the first that needs it. */
let oneEval: Record<string, unknown>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scale-out-'));
});

describe('shards', () => {
  it('resolves --shard, a Kubernetes Indexed Job and a Slurm array, and splits samples contiguously', () => {
    expect(resolveShard('1/3', {})).toEqual({ index: 1, count: 3 });
    expect(resolveShard(undefined, { JOB_COMPLETION_INDEX: '2', LOWDIFF_SHARDS: '4' })).toEqual({ index: 2, count: 4 });
    expect(resolveShard(undefined, { SLURM_ARRAY_TASK_ID: '11', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_COUNT: '3' })).toEqual({ index: 1, count: 3 });
    expect(resolveShard(undefined, {})).toBeNull();
    expect(() => resolveShard('3/3', {})).toThrow(/--shard: the shard index must be an integer in 0..2/);
    expect(() => resolveShard(undefined, { JOB_COMPLETION_INDEX: '0' })).toThrow(/LOWDIFF_SHARDS/);
    const blocks = [0, 1, 2].map((index) => shardRange(10, { index, count: 3 }));
    expect(blocks).toEqual([{ start: 0, end: 3 }, { start: 3, end: 6 }, { start: 6, end: 10 }]);
  });

  it('eval in 1, 2 and 3 shards, then merge, scores exactly as one eval; missing, duplicated and foreign shards are errors', async () => {
    const run = await cli('eval', ...RUN);
    expect(run.code, run.stderr).toBe(0);
    const one = lastJson(run.stdout);
    oneEval = one;
    for (const n of [1, 2, 3]) {
      const out = join(dir, `eval-${n}`);
      for (let i = 0; i < n; i++) {
        const r = await cli('eval', ...RUN, '--shard', `${i}/${n}`, '--shard-out', out);
        expect(r.code, r.stderr).toBe(0);
      }
      const m = await cli('merge', out, '--json');
      expect(m.code, m.stderr).toBe(0);
      const merged = lastJson(m.stdout);
      expect(Math.abs(merged.fid - one.fid) / one.fid, `${n} shards`).toBeLessThanOrEqual(1e-9);
      for (const key of ['kid', 'inceptionScore', 'precision', 'recall', 'conditionalAccuracy', 'lowResPsnr', 'count', 'nfe']) expect(merged[key], `${key}, ${n} shards`).toBeCloseTo(one[key], 9);
      expect(merged.scoredAs).toBe('png');
    }
    // Missing: shard 1 of 2 removed. Duplicated: shard 0 copied over shard 1's name.
    const broken = join(dir, 'broken');
    await cp(join(dir, 'eval-2'), broken, { recursive: true });
    await rm(join(broken, 'shard-0001-of-0002'), { recursive: true });
    const missing = await cli('merge', broken);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing shard\(s\) 1 of 2/);
    await cp(join(broken, 'shard-0000-of-0002'), join(broken, 'shard-0001-of-0002'), { recursive: true });
    const duplicated = await cli('merge', broken);
    expect(duplicated.code).toBe(2);
    expect(duplicated.stderr).toMatch(/duplicated shard\(s\): 0 in shard-0000-of-0002 and shard-0001-of-0002/);
    // Foreign: another seed's shard 1 of 2 next to this run's shard 0.
    const mixed = join(dir, 'mixed');
    await cp(join(dir, 'eval-2', 'shard-0000-of-0002'), join(mixed, 'shard-0000-of-0002'), { recursive: true });
    const other = await cli('eval', ...RUN.map((a) => (a === '5' ? '6' : a)), '--shard', '1/2', '--shard-out', mixed);
    expect(other.code, other.stderr).toBe(0);
    const foreign = await cli('merge', mixed);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/is from another run than shard-0000-of-0002: seed 6 vs 5/);
    const alone = await cli('eval', ...RUN, '--shard', '0/2');
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--shard: shard 0\/2 needs --shard-out/);
  }, MULTI_COMMAND_TEST_TIMEOUT_MS * 2);

  it('eval scores the images as saved by default and the raw floats with --score raw; merge refuses shards scored differently', async () => {
    // This tiny plan's samples stray far outside [-1, 1], as under-converged guided samples do.
    const raw = await cli('eval', ...RUN, '--score', 'raw');
    expect(raw.code, raw.stderr).toBe(0);
    const r = lastJson(raw.stdout);
    expect([oneEval.scoredAs, r.scoredAs]).toEqual(['png', 'raw']);
    expect(raw.stderr).toMatch(/scored as the sampler's raw floats/);
    expect(Math.abs((oneEval.fid as number) - r.fid) / r.fid).toBeGreaterThan(0.05);
    // The low-res consistency compares floats in either mode.
    expect(r.lowResPsnr).toBe(oneEval.lowResPsnr);
    const mixed = join(dir, 'mixed-score');
    await cp(join(dir, 'eval-2', 'shard-0000-of-0002'), join(mixed, 'shard-0000-of-0002'), { recursive: true });
    const shard = await cli('eval', ...RUN, '--score', 'raw', '--shard', '1/2', '--shard-out', mixed);
    expect(shard.code, shard.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(mixed, 'shard-0001-of-0002', 'manifest.json'), 'utf8')).run.scoredAs).toBe('raw');
    const merge = await cli('merge', mixed);
    expect(merge.code).toBe(2);
    expect(merge.stderr).toMatch(/shard-0001-of-0002 is from another run than shard-0000-of-0002: scoredAs "raw" vs "png" \(eval --score\)/);
    const bad = await cli('eval', ...RUN, '--score', 'jpeg');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--score: /);
  }, MULTI_COMMAND_TEST_TIMEOUT_MS);

  it('sample in 2 shards writes the same image files as one sample run', async () => {
    const args = ['--checkpoint', CHECKPOINT, '--plan', PLAN, '--count', '5', '--seed', '3', '--backend', 'wasm', '--json'];
    const single = await cli('sample', ...args, '--out', join(dir, 'sample-one'));
    expect(single.code, single.stderr).toBe(0);
    for (const i of [0, 1]) {
      const r = await cli('sample', ...args, '--shard', `${i}/2`, '--shard-out', join(dir, 'sample-shards'));
      expect(r.code, r.stderr).toBe(0);
    }
    const files = await readdir(join(dir, 'sample-one', 'images'));
    expect(files).toHaveLength(5);
    for (const f of files) {
      const i = Number(f.slice(0, 5));
      const shard = `shard-000${i < 2 ? 0 : 1}-of-0002`;
      expect(await readFile(join(dir, 'sample-shards', shard, 'images', f)), f).toEqual(await readFile(join(dir, 'sample-one', 'images', f)));
    }
  }, MULTI_COMMAND_TEST_TIMEOUT_MS);
});

describe('deploy manifests', () => {
  /** Every `--flag` a manifest passes must exist in that command's --help, and the command itself. */
  async function checkCommand(args: string[], where: string) {
    const [command, ...rest] = args;
    const help = await cli(command, '--help');
    expect(help.code, `${where}: '${command}' is not a command`).toBe(0);
    for (const flag of rest.filter((a) => a.startsWith('--'))) expect(help.stdout, `${where}: ${command} has no ${flag}`).toContain(flag);
    return rest;
  }

  it('the Kubernetes Indexed Job and merge Job call existing commands and flags, with a shared shard volume', async () => {
    const job = parseYaml(await readFile(join(ROOT, 'deploy/kubernetes/eval-job.yaml'), 'utf8'));
    expect(job.kind).toBe('Job');
    expect(job.spec.completionMode).toBe('Indexed');
    const c = job.spec.template.spec.containers[0];
    expect(c.env.find((e: { name: string }) => e.name === 'LOWDIFF_SHARDS').value).toBe(String(job.spec.completions));
    const rest = await checkCommand(c.args, 'eval-job.yaml');
    const mount = (name: string) => c.volumeMounts.find((m: { name: string }) => m.name === name).mountPath as string;
    const shardOut = rest[rest.indexOf('--shard-out') + 1];
    expect(shardOut.startsWith(mount('shards'))).toBe(true);
    expect(rest[rest.indexOf('--checkpoint') + 1].startsWith(mount('models'))).toBe(true);
    const merge = parseYaml(await readFile(join(ROOT, 'deploy/kubernetes/merge-job.yaml'), 'utf8'));
    const mc = merge.spec.template.spec.containers[0];
    await checkCommand(mc.args, 'merge-job.yaml');
    expect(mc.args[1]).toBe(shardOut);
    expect(merge.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(job.spec.template.spec.volumes[0].persistentVolumeClaim.claimName);
    const claims = parseAllDocuments(await readFile(join(ROOT, 'deploy/kubernetes/storage.yaml'), 'utf8')).map((d) => d.toJS());
    for (const v of job.spec.template.spec.volumes) expect(claims.map((c) => c.metadata.name)).toContain(v.persistentVolumeClaim.claimName);
    expect(claims.find((c) => c.metadata.name === 'lowdiff-shards').spec.accessModes).toContain('ReadWriteMany');
    expect(await readFile(join(ROOT, 'deploy/kubernetes/Dockerfile'), 'utf8')).toMatch(/ENTRYPOINT \["node", "apps\/pixel\/bin\/lowdiff-pixel\.mjs"\]/);
  }, MULTI_COMMAND_TEST_TIMEOUT_MS);

  it('the Slurm array and its dependent merge call existing commands and flags', async () => {
    const lines = async (f: string) => (await readFile(join(ROOT, 'deploy/slurm', f), 'utf8')).split('\n');
    const array = await lines('eval-array.sbatch');
    expect(array.find((l) => l.startsWith('#SBATCH --array='))).toBe('#SBATCH --array=0-7');
    for (const f of ['eval-array.sbatch', 'merge.sbatch']) {
      const call = (await lines(f)).find((l) => l.startsWith('node apps/pixel/bin/lowdiff-pixel.mjs'))!;
      const args = call.replace('node apps/pixel/bin/lowdiff-pixel.mjs ', '').split(/\s+/).map((a) => a.replace(/^"|"$/g, ''));
      await checkCommand(args, f);
    }
    const submit = (await lines('submit.sh')).join('\n');
    expect(submit).toMatch(/sbatch --parsable deploy\/slurm\/eval-array\.sbatch/);
    expect(submit).toMatch(/sbatch --dependency=afterok:"\$\{array\}" deploy\/slurm\/merge\.sbatch/);
  }, MULTI_COMMAND_TEST_TIMEOUT_MS);
});
