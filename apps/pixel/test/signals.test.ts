import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeSafetensors } from '@lowdiff/model';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = join(__dirname, '..', 'bin', 'lowdiff-pixel.mjs');
const run = promisify(execFile);
// Backstops against hangs only (see cli.test.ts): nothing here measures speed.
const TEST_TIMEOUT_MS = 600_000;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(BIN, args, { timeout: 300_000, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number | null; stdout: string; stderr: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Polls until `check` holds (no clock involved: a loaded machine just takes more rounds). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 100));
}

const logLines = async (dir: string) => (existsSync(join(dir, 'train.jsonl')) ? (await readFile(join(dir, 'train.jsonl'), 'utf8')).trim().split('\n').filter(Boolean).length : 0);

function weights(bytes: Uint8Array): Map<string, number[]> {
  const { tensors } = decodeSafetensors(bytes);
  return new Map([...tensors].filter(([k]) => !k.startsWith('extra/')).map(([k, t]) => [k, Array.from(t.data)]));
}

describe('lowdiff-pixel train under signals', () => {
  let dir: string;
  let common: (out: string) => string[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pixel-signals-'));
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ model: { baseChannels: 8, groupNormGroups: 4, attentionResolutions: [4] }, training: { warmupSteps: 0 } }));
    common = (out) => ['--data', 'fashion-mnist', '--out', out, '--config', config, '--size', '16', '--limit', '64', '--batch-size', '4', '--backend', 'wasm'];
  });

  it('SIGTERM saves and exits 143; a second trainer is refused meanwhile; resuming gives the weights of an uninterrupted run', async () => {
    const out = join(dir, 'interrupted');
    const child = spawn(BIN, ['train', ...common(out), '--steps', '100000', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await until(async () => (await logLines(out)) >= 2);

    const second = await cli('train', ...common(out), '--steps', '3');
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/--out: another trainer \(pid \d+, started .*\) is using/);

    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    const done = stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.event === 'done');
    expect(done).toMatchObject({ event: 'done', reason: 'aborted' });
    const stoppedAt: number = done.step;
    expect(existsSync(join(out, 'train.lock'))).toBe(false);

    const total = String(stoppedAt + 2);
    const resumed = await cli('train', ...common(out), '--steps', total, '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    const straight = await cli('train', ...common(join(dir, 'straight')), '--steps', total);
    expect(straight.code, straight.stderr).toBe(0);
    const [a, b] = [weights(await readFile(join(out, 'train.safetensors'))), weights(await readFile(join(dir, 'straight', 'train.safetensors')))];
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [k, v] of a) expect(v, k).toEqual(b.get(k));
    const steps = (await readFile(join(out, 'train.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).step);
    expect(steps).toEqual(Array.from({ length: stoppedAt + 2 }, (_, i) => i + 1));
  }, TEST_TIMEOUT_MS);

  it('kill -9 of the wrapper: the trainer saves, releases the folder and exits instead of running on', async () => {
    const out = join(dir, 'orphan');
    const child = spawn(BIN, ['train', ...common(out), '--steps', '100000'], { stdio: 'ignore' });
    await until(async () => (await logLines(out)) >= 1);
    child.kill('SIGKILL');
    await until(() => !existsSync(join(out, 'train.lock')));
    expect(existsSync(join(out, 'train.safetensors'))).toBe(true);
    // The folder is free again: a resume takes it.
    const again = await cli('train', ...common(out), '--steps', '1', '--resume', '--json');
    expect(again.stderr).not.toMatch(/another trainer/);
  }, TEST_TIMEOUT_MS);
});
