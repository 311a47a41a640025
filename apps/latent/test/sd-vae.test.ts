import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { initBackend } from '@lowdiff/backend';
import { EdmDenoiser, saveCheckpoint } from '@lowdiff/model';
import { AutoencoderKL, saveAutoencoderKL } from '@lowdiff/vae';
import { beforeAll, expect, it } from 'vitest';
import { cliRunner, COMMAND_TIMEOUT_MS, lastJson } from '@lowdiff/cli-kit';

const BIN = join(__dirname, '..', 'bin', 'lowdiff-latent.mjs');
const cli = cliRunner(BIN);
const TIMEOUT_MS = COMMAND_TIMEOUT_MS;

let dir: string;
let sd: string;
let checkpoint: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'latent-sd-'));
  // A small randomly initialised Stable Diffusion AutoencoderKL (diffusers' tensor names, two
  // blocks: 16x16 images <-> 8x8x4 latents) and an untrained latent DiT over its latents.
  sd = join(dir, 'tiny-sd-vae.safetensors');
  const vae = new AutoencoderKL({ blockOutChannels: [8, 16], layersPerBlock: 1, normNumGroups: 4 }, 0);
  await saveAutoencoderKL(sd, vae);
  vae.dispose();
  checkpoint = join(dir, 'latent-dit.safetensors');
  const model = new EdmDenoiser({ kind: 'dit', channels: 4, resolution: 8, stageResolutions: [4, 8], numClasses: 0, patchSize: 1, hiddenSize: 32, depth: 1, heads: 2 }, 0);
  await saveCheckpoint(checkpoint, model, { info: { note: 'untrained, for the --vae sd: test' } });
  model.dispose();
}, TIMEOUT_MS);

it('samples through an SD AutoencoderKL named by --vae sd:<file>', async () => {
  const out = join(dir, 'samples');
  const plan = JSON.stringify({ name: 'tiny', stages: [{ resolution: 4, steps: 2 }, { resolution: 8, steps: 2, start: { kind: 'upsampled', sigmaStart: 1 } }] });
  const r = await cli('sample', '--checkpoint', checkpoint, '--vae', `sd:${sd}`, '--plan', plan, '--count', '3', '--out', out, '--backend', 'wasm', '--json');
  expect(r.code, r.stderr).toBe(0);
  const summary = lastJson(r.stdout);
  expect(summary).toMatchObject({ plan: 'tiny', count: 3, imageResolution: 16 });
  const image = PNG.sync.read(await readFile(join(out, 'images', '00002.png')));
  expect([image.width, image.height]).toEqual([16, 16]);
}, TIMEOUT_MS);

it('names --vae when the SD file is missing or is not an AutoencoderKL', async () => {
  const missing = await cli('sample', '--checkpoint', checkpoint, '--vae', `sd:${join(dir, 'nope.safetensors')}`, '--out', join(dir, 'x'), '--backend', 'wasm');
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/--vae: no such file/);
  const wrong = await cli('sample', '--checkpoint', checkpoint, '--vae', `sd:${checkpoint}`, '--out', join(dir, 'y'), '--backend', 'wasm');
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toMatch(/--vae: as an SD AutoencoderKL/);
  expect(wrong.stderr).not.toMatch(/\n\s+at /);
}, TIMEOUT_MS);
