import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, MULTI_COMMAND_TEST_TIMEOUT_MS } from '@lowdiff/cli-kit';

const BIN = join(__dirname, '..', 'bin', 'lowdiff-pixel.mjs');
const cli = cliRunner(BIN);

const TINY_PLAN = JSON.stringify({ name: 'tiny', stages: [{ resolution: 4, steps: 2 }, { resolution: 8, steps: 2, start: { kind: 'upsampled', sigmaStart: 1 } }, { resolution: 16, steps: 1 }] });

describe('lowdiff-pixel', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pixel-'));
  });

  it('has --help on every command', async () => {
    for (const cmd of [[], ['train'], ['sample'], ['eval'], ['bench'], ['demo']]) {
      const r = await cli(...cmd, '--help');
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: lowdiff-pixel/);
    }
  }, MULTI_COMMAND_TEST_TIMEOUT_MS);

  it('names the bad flag and exits 2, without a stack trace', async () => {
    const r = await cli('sample', '--checkpoint', 'x.safetensors', '--count', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--count: .*>=1/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const missing = await cli('sample', '--checkpoint', join(dir, 'missing.safetensors'));
    expect(missing.stderr).toMatch(/--checkpoint: no such file/);
    const corrupt = join(dir, 'corrupt.safetensors');
    await writeFile(corrupt, Buffer.alloc(100, 7));
    const bad = await cli('sample', '--checkpoint', corrupt);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--checkpoint: cannot load checkpoint/);
    const data = await cli('train', '--data', 'imagenet', '--out', join(dir, 'x'));
    expect(data.stderr).toMatch(/imagenet/);
    const engine = await cli('train', '--data', 'fashion-mnist', '--out', join(dir, 'y'), '--engine', 'gpu');
    expect(engine.code).toBe(2);
    expect(engine.stderr).toMatch(/--engine/);
  }, MULTI_COMMAND_TEST_TIMEOUT_MS);

  it('trains, resumes, samples (grid, per-image PNGs, stage strip) and benchmarks a tiny model', async () => {
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ model: { baseChannels: 8, groupNormGroups: 4, attentionResolutions: [4] }, training: { warmupSteps: 0 } }));
    const out = join(dir, 'run');
    const common = ['--data', 'fashion-mnist', '--out', out, '--config', config, '--size', '16', '--limit', '64', '--batch-size', '4', '--backend', 'wasm'];
    const t1 = await cli('train', ...common, '--steps', '2', '--json');
    expect(t1.code, t1.stderr).toBe(0);
    // --engine auto: gradients on ONNX Runtime; the resume below switches to tfjs mid-run.
    expect(t1.stderr).toMatch(/gradients on ONNX Runtime/);
    const done = t1.stdout.trim().split('\n').map((l) => JSON.parse(l)).at(-1);
    expect(done).toMatchObject({ event: 'done', step: 2, reason: 'done' });
    const again = await cli('train', ...common, '--steps', '3');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/pass --resume/);
    const t2 = await cli('train', ...common, '--steps', '3', '--resume', '--engine', 'tfjs');
    expect(t2.code, t2.stderr).toBe(0);
    expect(t2.stderr).toMatch(/gradients on tfjs-wasm/);
    expect(t2.stderr).toMatch(/resuming at step 2/);

    const ckpt = join(out, 'train.safetensors');
    const s = await cli('sample', '--checkpoint', ckpt, '--plan', TINY_PLAN, '--count', '5', '--batch-size', '2', '--class', 'Trouser', '--out', join(dir, 's'), '--json', '--backend', 'wasm');
    expect(s.code, s.stderr).toBe(0);
    const summary = JSON.parse(s.stdout);
    expect(summary).toMatchObject({ plan: 'tiny', count: 5, nfe: 3 + 3 + 1 });
    expect(summary.nfePerStage.map((x: { resolution: number }) => x.resolution)).toEqual([4, 8, 16]);
    const grid = PNG.sync.read(await readFile(summary.files.grid));
    expect(grid.width).toBeGreaterThan(16 * 5);
    const strip = PNG.sync.read(await readFile(summary.files.strip));
    expect(strip.width).toBe(3 * 16 + 4 * 2);
    expect(existsSync(join(dir, 's', 'images', '00004.png'))).toBe(true);

    const b = await cli('bench', '--checkpoint', ckpt, '--plans', `baseline-heun-6,${TINY_PLAN}`, '--count', '4', '--rounds', '2', '--no-metrics', '--json', '--backend', 'wasm');
    expect(b.code, b.stderr).toBe(0);
    const rows = JSON.parse(b.stdout).rows;
    expect(rows.map((r: { plan: string }) => r.plan)).toEqual(['baseline-heun-6@16', 'tiny']);
    expect(rows[0]).toMatchObject({ nfe: 11, effectiveNfe: 11, speedup: 1 });
    expect(rows[1].effectiveNfe).toBeLessThan(rows[1].nfe);
  }, MULTI_COMMAND_TEST_TIMEOUT_MS);
});
