import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, lastJson, MULTI_COMMAND_TEST_TIMEOUT_MS } from '@lowdiff/cli-kit';

const BIN = join(__dirname, '..', 'bin', 'lowdiff-latent.mjs');
const cli = cliRunner(BIN);

const TINY_PLAN = JSON.stringify({ name: 'tiny', stages: [{ resolution: 4, steps: 2 }, { resolution: 8, steps: 2, start: { kind: 'upsampled', sigmaStart: 1 } }] });

describe('lowdiff-latent', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'latent-'));
  });

  it('has --help on every command', async () => {
    for (const cmd of [[], ['train-vae'], ['encode'], ['train'], ['sample'], ['eval'], ['bench']]) {
      const r = await cli(...cmd, '--help');
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: lowdiff-latent/);
    }
  }, MULTI_COMMAND_TEST_TIMEOUT_MS);

  it('names the bad flag and exits 2, without a stack trace', async () => {
    const steps = await cli('train-vae', '--data', 'fashion-mnist', '--out', join(dir, 'v'), '--steps', '0');
    expect(steps.code).toBe(2);
    expect(steps.stderr).toMatch(/--steps: .*>=1/);
    expect(steps.stderr).not.toMatch(/\n\s+at /);
    const channels = await cli('train-vae', '--data', 'fashion-mnist', '--out', join(dir, 'v'), '--steps', '1', '--channels', '8;16');
    expect(channels.stderr).toMatch(/--channels: must be comma-separated integers/);
    const vae = await cli('encode', '--vae', join(dir, 'missing.safetensors'), '--data', 'fashion-mnist', '--out', join(dir, 'l.safetensors'));
    expect(vae.code).toBe(2);
    expect(vae.stderr).toMatch(/--vae: no such file/);
    const notCache = join(dir, 'junk.safetensors');
    await writeFile(notCache, Buffer.alloc(64, 3));
    const latents = await cli('train', '--latents', notCache, '--out', join(dir, 'x'));
    expect(latents.code).toBe(2);
    expect(latents.stderr).toMatch(/--latents: .*junk\.safetensors/);
  }, MULTI_COMMAND_TEST_TIMEOUT_MS);

  it('train-vae, encode, train a tiny DiT, sample (grid, images, stage strip) and bench, end to end', async () => {
    const common = ['--backend', 'wasm'];
    const vaeDir = join(dir, 'vae');
    const tv = await cli('train-vae', '--data', 'fashion-mnist', '--out', vaeDir, '--steps', '4', '--limit', '64', '--eval-images', '32', '--channels', '8,16,16', '--batch-size', '8', '--json', ...common);
    expect(tv.code, tv.stderr).toBe(0);
    const report = lastJson(tv.stdout);
    expect(report.latentShape).toEqual([8, 8, 4]);
    expect(report.testImages).toBe(32);
    expect(Number.isFinite(report.psnr)).toBe(true);
    expect(tv.stderr).toMatch(/reconstruction PSNR on 32 fashion-mnist\/test images: [\d.]+ dB/);
    const reconstructions = PNG.sync.read(await readFile(join(vaeDir, 'reconstructions.png')));
    expect([reconstructions.width, reconstructions.height]).toEqual([8 * 32 + 9 * 2, 2 * 32 + 3 * 2]);
    const vae = join(vaeDir, 'vae.safetensors');

    const cache = join(dir, 'latents.safetensors');
    const enc = await cli('encode', '--vae', vae, '--data', 'fashion-mnist', '--out', cache, '--limit', '64', '--json', ...common);
    expect(enc.code, enc.stderr).toBe(0);
    expect(lastJson(enc.stdout).shape).toEqual([64, 8, 8, 4]);

    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ model: { hiddenSize: 32, depth: 1, heads: 2 }, training: { warmupSteps: 0 } }));
    const runDir = join(dir, 'ldit');
    const tr = await cli('train', '--latents', cache, '--out', runDir, '--steps', '3', '--batch-size', '4', '--config', config, '--json', ...common);
    expect(tr.code, tr.stderr).toBe(0);
    const ckpt = join(runDir, 'train.safetensors');
    expect(lastJson(tr.stdout)).toMatchObject({ event: 'done', step: 3 });
    // The checkpoint remembers its VAE, so sample needs no --vae.
    const header = (await readFile(ckpt)).subarray(8, 8 + 20_000).toString('utf8');
    expect(header).toContain(vae.replace(/\\/g, '\\\\'));

    const out = join(dir, 'samples');
    const s = await cli('sample', '--checkpoint', ckpt, '--plan', TINY_PLAN, '--count', '6', '--batch-size', '4', '--out', out, '--json', ...common);
    expect(s.code, s.stderr).toBe(0);
    const summary = lastJson(s.stdout);
    expect(summary).toMatchObject({ plan: 'tiny', count: 6, nfe: 6, imageResolution: 32 });
    expect(summary.effectiveNfe).toBeLessThan(summary.nfe);
    const grid = PNG.sync.read(await readFile(join(out, 'grid.png')));
    // 32x32 decoded cells with a 2 px border around each.
    expect([grid.width, grid.height]).toEqual([6 * 32 + 7 * 2, 32 + 2 * 2]);
    const strip = PNG.sync.read(await readFile(join(out, 'stage-strip.png')));
    expect([strip.width, strip.height]).toEqual([2 * 32 + 3 * 2, 6 * 32 + 7 * 2]);
    expect(existsSync(join(out, 'images', '00005.png'))).toBe(true);

    const b = await cli('bench', '--checkpoint', ckpt, '--vae', vae, '--plans', `baseline-heun-6,${TINY_PLAN}`, '--count', '4', '--rounds', '2', '--batch-size', '4', '--no-metrics', '--json', ...common);
    expect(b.code, b.stderr).toBe(0);
    const rows = lastJson(b.stdout).rows;
    expect(rows.map((r: { plan: string }) => r.plan)).toEqual(['baseline-heun-6@8', 'tiny']);
    expect(rows[1].effectiveNfe).toBeLessThan(rows[0].effectiveNfe);
    expect(rows[0].scores).toBeNull();

    // The condition-space knob: train and sample with pixel-space resampling (decode, resize, encode).
    const pixelDir = join(dir, 'ldit-pixel');
    const tp = await cli('train', '--latents', cache, '--out', pixelDir, '--steps', '2', '--batch-size', '4', '--config', config, '--condition-space', 'pixel', '--json', ...common);
    expect(tp.code, tp.stderr).toBe(0);
    const pixelCkpt = join(pixelDir, 'train.safetensors');
    expect((await readFile(pixelCkpt)).subarray(8, 8 + 20_000).toString('utf8')).toContain('\\"conditionSpace\\":\\"pixel\\"');
    const sp = await cli('sample', '--checkpoint', pixelCkpt, '--plan', TINY_PLAN, '--count', '2', '--out', join(dir, 'samples-pixel'), '--no-images', '--json', ...common);
    expect(sp.code, sp.stderr).toBe(0);
    const bad = await cli('train', '--latents', cache, '--out', join(dir, 'x2'), '--condition-space', 'both', ...common);
    expect(bad.stderr).toMatch(/--condition-space/);
  }, MULTI_COMMAND_TEST_TIMEOUT_MS);
});
