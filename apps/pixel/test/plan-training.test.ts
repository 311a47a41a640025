import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRunner, COMMAND_TIMEOUT_MS, lastJson } from '@lowdiff/cli-kit';

const cli = cliRunner(join(__dirname, '..', 'bin', 'lowdiff-pixel.mjs'));
const CHECKPOINT = join(__dirname, '..', 'checkpoints', 'fmnist-lowdiff.safetensors');
const COMMON = ['--checkpoint', CHECKPOINT, '--runtime', 'tfjs', '--backend', 'wasm', '--json'];

// The shipped checkpoint was trained on 8 / 16c / 32c / 32 with bilinear conditions and condition
// noise uniform in 0..1 (its training metadata says so); sample checks every plan against that.
describe('sample checks the plan against what the checkpoint was trained for', () => {
  it('an untrained stage or another condition upsampling stops with exit 2, naming both values, before sampling', async () => {
    const plan = JSON.stringify({ name: 'mismatched', stages: [{ resolution: 16, steps: 2 }, { resolution: 32, steps: 1, upsample: 'nearest', start: { kind: 'upsampled', sigmaStart: 2 } }] });
    const r = await cli('sample', ...COMMON, '--plan', plan, '--count', '2', '--out', await mkdtemp(join(tmpdir(), 'plan-training-')));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('plan mismatched does not fit what the model was trained for');
    expect(r.stderr).toContain('stage 0 (16x16, unconditioned): the model was never trained on this stage (trained: 8x8 unconditioned, 16x16 conditioned, 32x32 conditioned, 32x32 unconditioned)');
    expect(r.stderr).toContain("stage 1 (32x32, conditioned): upsample 'nearest' differs from the trained condition upsampling 'bilinear'");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  }, COMMAND_TIMEOUT_MS);

  it('a warning is printed once on stderr, and the samples are made', async () => {
    const plan = JSON.stringify({ name: 'aug1.5', stages: [{ resolution: 8, steps: 1 }, { resolution: 16, steps: 1, sigmaAug: 1.5, start: { kind: 'upsampled', sigmaStart: 2 } }] });
    const r = await cli('sample', ...COMMON, '--plan', plan, '--count', '2', '--batch-size', '1', '--no-images', '--out', await mkdtemp(join(tmpdir(), 'plan-training-')));
    expect(r.code, r.stderr).toBe(0);
    const warning = 'warning: plan aug1.5: stage 1 (16x16, conditioned): sigmaAug 1.5 is outside the trained condition noise 0..1';
    expect(r.stderr.split('\n').filter((l) => l === warning)).toHaveLength(1);
    expect(lastJson(r.stdout)).toMatchObject({ plan: 'aug1.5', count: 2 });
  }, COMMAND_TIMEOUT_MS);
});
