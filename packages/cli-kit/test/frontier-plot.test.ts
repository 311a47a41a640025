import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFrontierPlot, writeFrontierPlot, type BenchRow, type Scores } from '../src';

const scores = (fid: number): Scores => ({
  extractor: 'classifier-fmnist',
  reference: 'fashion-mnist/test',
  scoredAs: 'png',
  count: 1000,
  fid,
  kid: 0,
  kidStd: 0,
  inceptionScore: 1,
  precision: 0.5,
  recall: 0.5,
  conditionalAccuracy: null,
  lowResPsnr: null,
  warnings: [],
});

const row = (plan: string, family: string, imagesPerSec: number, fid: number): BenchRow => ({
  plan,
  family,
  nfePerStage: '32:1',
  nfe: 1,
  effectiveNfe: 1,
  imagesPerSec,
  speedup: 1,
  scores: scores(fid),
});

// Points spread over the plot, so no marker hides another.
const ROWS: BenchRow[] = [
  row('baseline-heun-18@32', 'Heun baseline', 9.5, 7.4),
  row('baseline-heun-10@32', 'Heun baseline', 17.3, 7.9),
  row('baseline-heun-6@32', 'Heun baseline', 26, 9.3),
  row('baseline-dpmpp2m-35@32', 'DPM-Solver++(2M) baseline', 6, 6.4),
  row('baseline-dpmpp2m-11@32', 'DPM-Solver++(2M) baseline', 21, 6.8),
  row('lowdiff-3', 'LowDiff cascade (Heun)', 14, 10.5),
  row('lowdiff-3-sdedit', 'LowDiff SDEdit (Heun)', 12, 5.6),
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frontier-plot-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('frontier plot', () => {
  it('draws a PNG with one colour per family at the markers', async () => {
    const plot = await renderFrontierPlot(ROWS, 'png', { notes: ['a test'] });
    const png = PNG.sync.read(Buffer.from(plot.image));
    expect([png.width, png.height]).toEqual([plot.width, plot.height]);
    // The 640 x 400 plot area at twice its size, plus title, axes and legend.
    expect(png.width).toBeGreaterThan(1280);
    expect(png.height).toBeGreaterThan(800);
    const pixel = (x: number, y: number) => {
      const i = (Math.round(y) * png.width + Math.round(x)) * 4;
      return Array.from(png.data.subarray(i, i + 3));
    };
    let ink = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] + png.data[i + 1] + png.data[i + 2] < 600) ink++;
    expect(ink / (png.width * png.height)).toBeGreaterThan(0.01);

    expect(plot.markers.map((m) => m.plan).sort()).toEqual(ROWS.map((r) => r.plan).sort());
    const colourOf = new Map<string, string>();
    for (const m of plot.markers) {
      expect(m.x).toBeGreaterThan(0);
      expect(m.y).toBeGreaterThan(0);
      const [r, g, b] = pixel(m.x, m.y);
      // A saturated colour, not the white background or grey grid and text.
      expect(Math.max(r, g, b) - Math.min(r, g, b), m.plan).toBeGreaterThan(40);
      const c = `${r},${g},${b}`;
      if (colourOf.has(m.family)) expect(c, m.plan).toBe(colourOf.get(m.family));
      else colourOf.set(m.family, c);
    }
    expect(colourOf.size).toBe(4);
    expect(new Set(colourOf.values()).size).toBe(4);
  });

  it('writes SVG too, with every plan labelled, and names the rows it cannot draw', async () => {
    const path = join(dir, 'nested', 'plot.svg');
    await writeFrontierPlot(path, [...ROWS, row('broken', 'Heun baseline', 5, Number.NaN)]);
    const svg = await readFile(path, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const r of ROWS) expect(svg).toContain(`>${r.plan}</text>`);
    expect(svg).toContain('not drawn (FID not finite): broken');
    expect(svg).toContain('scored as 8-bit images');
    expect(svg).toContain('images/s');
    await expect(writeFrontierPlot(join(dir, 'plot.jpg'), ROWS)).rejects.toThrow(/\.png or \.svg/);
    await expect(renderFrontierPlot(ROWS.map((r) => ({ ...r, scores: null })), 'png')).rejects.toThrow(/--plot: .*--no-metrics/);
  });
});
