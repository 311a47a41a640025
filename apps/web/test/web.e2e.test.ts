/**
 * The page in a real browser: Debian's Chromium driven by Playwright (playwright-core cannot
 * download a browser here; CHROMIUM_PATH overrides /usr/bin/chromium). Builds the page, serves
 * the build, generates with a LowDiff plan through the form, checks every stage's canvas and that
 * the final images are the Node CLI's for the same checkpoint, plan, seed and classes, times each
 * runtime, and leaves out/web/page.png and out/web/timings.json.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { initBackend } from '@lowdiff/backend';
import { exportOnnx, loadCheckpoint } from '@lowdiff/model';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const outDir = join(root, 'out/web');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHECKPOINT = join(root, 'apps/pixel/checkpoints/fmnist-lowdiff.safetensors');
const RUN = { plan: 'lowdiff-3', count: 8, seed: 7, classSpec: 'all', guidance: 2 };
/** Per-pixel tolerance in 8-bit levels: ORT in wasm vs ORT native (and tfjs) round differently. */
const TOLERANCE = 3;

let server: PreviewServer;
let browser: Browser;
let page: Page;
let cliImages: Uint8Array[];

async function cliSample(): Promise<Uint8Array[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lowdiff-web-'));
  try {
    await promisify(execFile)(
      process.execPath,
      [join(root, 'apps/pixel/bin/lowdiff-pixel.mjs'), 'sample', '--checkpoint', CHECKPOINT, '--plan', RUN.plan, '--count', String(RUN.count), '--seed', String(RUN.seed), '--class', RUN.classSpec, '--guidance', String(RUN.guidance), '--runtime', 'ort', '--out', dir, '--json'],
      { cwd: root, maxBuffer: 1 << 24 },
    );
    const files = readdirSync(join(dir, 'images')).sort();
    return files.map((f) => {
      const png = PNG.sync.read(readFileSync(join(dir, 'images', f)));
      // One channel: the PNG's red plane (pngjs expands grayscale to RGBA).
      return Uint8Array.from({ length: png.width * png.height }, (_, i) => png.data[i * 4]);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function generateThroughForm(runtime: string): Promise<void> {
  await page.selectOption('#runtime', runtime);
  await page.selectOption('#plan', RUN.plan);
  await page.selectOption('#class', RUN.classSpec);
  await page.fill('#count', String(RUN.count));
  await page.fill('#seed', String(RUN.seed));
  await page.fill('#guidance', String(RUN.guidance));
  await page.click('#generate');
  await page.waitForFunction((plan) => document.querySelector('#status')?.textContent?.startsWith(`${plan}:`) && !(document.querySelector('#generate') as HTMLButtonElement).disabled, RUN.plan, { timeout: 600_000 });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  mkdirSync(outDir, { recursive: true });
  const configFile = join(here, '../vite.config.ts');
  await build({ configFile, logLevel: 'warn' });
  server = await preview({ configFile, preview: { port: 0, strictPort: false }, logLevel: 'warn' });
  cliImages = await cliSample();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root in a container, without the background traffic this closed network refuses;
    // SwiftShader gives WebGL without a GPU.
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--enable-unsafe-swiftshader'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
  await page.goto(server.resolvedUrls!.local[0]);
  await page.waitForFunction(() => !!window.lowdiff);
  await page.evaluate(() => window.lowdiff.ready);
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.httpServer.close(() => resolve()) : resolve()));
});

describe('the LowDiff page in Chromium', () => {
  it('is cross-origin isolated and offers ONNX Runtime Web and tfjs', async () => {
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const runtimes = await page.evaluate(() => window.lowdiff.runtimes());
    expect(runtimes.filter((r) => r.available).map((r) => r.id)).toEqual(expect.arrayContaining(['ort-wasm', 'tfjs-wasm']));
  });

  it('exports the same ONNX graphs from the checkpoint as Node does (SHA-256 of every stage)', async () => {
    await initBackend({ backend: 'wasm' });
    const { model } = await loadCheckpoint(CHECKPOINT, { use: 'prefer-ema' });
    for (const r of model.resolutions) {
      const node = createHash('sha256').update(exportOnnx(model, r).bytes).digest('hex');
      expect(await page.evaluate((res) => window.lowdiff.graphSha256(res), r), `stage ${r}`).toBe(node);
    }
    model.dispose();
  });

  for (const runtime of ['ort-wasm', 'tfjs-wasm']) {
    it(`${runtime}: draws every stage, and its final images are the Node CLI's (within ${TOLERANCE} levels)`, async () => {
      await generateThroughForm(runtime);
      const stages = await page.$$eval('#stages canvas', (canvases) =>
        (canvases as HTMLCanvasElement[]).map((c) => {
          const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
          let sum = 0;
          let sq = 0;
          for (let i = 0; i < data.length; i += 4) {
            sum += data[i];
            sq += data[i] * data[i];
          }
          const n = data.length / 4;
          return { resolution: Number(c.dataset.resolution), width: c.width, std: Math.sqrt(sq / n - (sum / n) ** 2) };
        }),
      );
      expect(stages.map((s) => s.resolution)).toEqual([8, 16, 32]);
      for (const s of stages) expect(s.std, `stage ${s.resolution}x${s.resolution} is blank`).toBeGreaterThan(10);
      const bytes = await page.evaluate(() => window.lowdiff.bytes(window.lowdiff.lastRun()!));
      const per = 32 * 32;
      expect(bytes.length).toBe(RUN.count * per);
      let worst = 0;
      let total = 0;
      cliImages.forEach((img, k) => {
        for (let i = 0; i < per; i++) {
          const d = Math.abs(bytes[k * per + i] - img[i]);
          worst = Math.max(worst, d);
          total += d;
        }
      });
      console.log(`${runtime} vs the CLI (ort, Node): max |diff| ${worst} levels, mean ${(total / bytes.length).toFixed(4)}`);
      expect(worst).toBeLessThanOrEqual(TOLERANCE);
    });
  }

  it('times lowdiff-3 on every runtime (16 images; 4 on software WebGL), races baseline vs LowDiff, and leaves a screenshot', async () => {
    const available = (await page.evaluate(() => window.lowdiff.runtimes())).filter((r) => r.available);
    const timings: Record<string, unknown>[] = [];
    for (const r of available) {
      // Software WebGL (SwiftShader, no GPU) is ~20x slower than wasm: one small run says so.
      const count = r.id === 'tfjs-webgl' ? 4 : 16;
      const measured = await page.evaluate(
        async ({ runtime, count }) => {
          const o = { plan: 'lowdiff-3', count, seed: 0, classSpec: 'all', guidance: 2, runtime };
          await window.lowdiff.generate({ ...o, count: 2 }); // warm-up: first calls compile kernels
          const run = await window.lowdiff.generate(o);
          return { count, seconds: run.wallMs / 1000, imagesPerSec: run.imagesPerSec, nfe: run.nfe, effectiveNfe: run.effectiveNfe };
        },
        { runtime: r.id, count },
      );
      timings.push({ runtime: r.id, label: r.label, ...measured });
      console.log(`${r.label}: ${count} images of lowdiff-3 in ${measured.seconds.toFixed(2)} s (${measured.imagesPerSec.toFixed(2)} images/s)`);
    }
    const race = await page.evaluate(async (runtime) => {
      const { baseline, lowdiff } = await window.lowdiff.race({ plan: 'lowdiff-3', count: 16, seed: 0, classSpec: 'all', guidance: 2, runtime });
      return [baseline, lowdiff].map((run) => ({ plan: run.plan, imagesPerSec: run.imagesPerSec, nfe: run.nfe, effectiveNfe: run.effectiveNfe }));
    }, 'ort-wasm' as const);
    console.log(`race on ort-wasm: ${race.map((r) => `${r.plan} ${r.imagesPerSec.toFixed(2)} images/s`).join(', ')}`);
    expect(race[1].effectiveNfe).toBeLessThan(race[0].effectiveNfe);
    await page.screenshot({ path: join(outDir, 'page.png'), fullPage: true });
    writeFileSync(join(outDir, 'timings.json'), JSON.stringify({ date: new Date().toISOString(), userAgent: await page.evaluate(() => navigator.userAgent), timings, race }, null, 2));
    expect(existsSync(join(outDir, 'page.png'))).toBe(true);
  });
});
