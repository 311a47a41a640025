import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Spec } from 'vega';
import { z } from 'zod';
import { ensureDir, writeFileAtomic } from '@lowdiff/backend';
import type { BenchRow } from './bench-runner';
import { CliError } from './cli-error';

/** `bench --plot <file>`: the format follows the extension. */
export const PlotPathSchema = z.string().regex(/\.(png|svg)$/i, 'must end in .png or .svg');

export interface FrontierMarker {
  plan: string;
  family: string;
  imagesPerSec: number;
  fid: number;
  /** The marker's centre in the image, in pixels (PNG) or SVG user units. */
  x: number;
  y: number;
}

export interface FrontierPlot {
  format: 'png' | 'svg';
  image: Uint8Array;
  width: number;
  height: number;
  markers: FrontierMarker[];
}

export interface FrontierPlotOptions {
  /** Lines under the title (e.g. runtime, guidance), after the one saying how FID was measured. */
  notes?: string[];
}

// Every text is set in DejaVu Sans, shipped as TTF files in an npm package: resvg's wasm build
// sees no system fonts (and a CI machine may have none); the SVG names a fallback for viewers.
const FONT = 'DejaVu Sans, sans-serif';
// The PNG is rendered at twice the SVG's size, so its text is legible on a high-density screen.
const PNG_ZOOM = 2;
const PLOT_WIDTH = 640;
const PLOT_HEIGHT = 400;
const PADDING = 12;

const require = createRequire(import.meta.url);
let resvgReady: Promise<typeof import('@resvg/resvg-wasm')> | null = null;

/** The wasm rasteriser, initialised once per process (a second initWasm throws). */
function resvg(): Promise<typeof import('@resvg/resvg-wasm')> {
  resvgReady ??= (async () => {
    const module = await import('@resvg/resvg-wasm');
    await module.initWasm(await readFile(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
    return module;
  })();
  return resvgReady;
}

/**
 * FID (y) against images/s (x) for bench rows: one line per sampler family (`row.family`, and the
 * runtime where a bench compares runtimes) through its plans sorted by speed, a marker per plan
 * labelled with its name, a legend, and axes with units. Rows without a finite FID are left out
 * and named under the title. Vega lays it out and writes SVG (headless, no canvas module);
 * resvg's wasm build rasterises PNGs.
 */
export async function renderFrontierPlot(rows: readonly BenchRow[], format: 'png' | 'svg', options: FrontierPlotOptions = {}): Promise<FrontierPlot> {
  const scored = rows.filter((r) => r.scores);
  if (scored.length === 0) throw new CliError('--plot: the rows have no FID to plot (drop --no-metrics)');
  const onRuntime = (name: string, r: BenchRow) => (r.runtime ? `${name} [${r.runtime}]` : name);
  const all = scored.map((r) => ({ plan: onRuntime(r.plan, r), family: onRuntime(r.family, r), imagesPerSec: r.imagesPerSec, fid: r.scores!.fid }));
  const points = all.filter((p) => Number.isFinite(p.fid) && Number.isFinite(p.imagesPerSec)).sort((a, b) => a.imagesPerSec - b.imagesPerSec);
  const left = all.filter((p) => !points.includes(p));
  if (points.length === 0) throw new CliError('--plot: no row has a finite FID to plot');
  const s = scored[0].scores!;
  // Short lines: without a canvas module Vega sizes text by an estimate that runs wide, and the
  // widest title line sets the image's width.
  const subtitle = [
    `FID of ${s.count} samples per plan against ${s.reference}, ${s.scoredAs === 'png' ? 'scored as 8-bit images' : 'scored as raw floats'}`,
    ...(options.notes ?? []),
    ...(left.length > 0 ? [`not drawn (FID not finite): ${left.map((p) => p.plan).join(', ')}`] : []),
  ];

  // Families in the rows' order (the bench's first plan first), so a sweep keeps its colours.
  const families = [...new Set(all.filter((p) => points.includes(p)).map((p) => p.family))];
  const vega = await import('vega');
  const view = new vega.View(vega.parse(frontierSpec(points, families, subtitle, s.extractor)), { renderer: 'none' });
  await view.runAsync();
  const svg = await view.toSVG();
  const [ox, oy] = view.origin();
  const pad = view.padding() as { left: number; top: number };
  const xScale = view.scale('x') as (v: number) => number;
  const yScale = view.scale('y') as (v: number) => number;
  const zoom = format === 'png' ? PNG_ZOOM : 1;
  const markers = points.map((p) => ({ ...p, x: (pad.left + ox + xScale(p.imagesPerSec)) * zoom, y: (pad.top + oy + yScale(p.fid)) * zoom }));
  view.finalize();
  const size = svg.match(/^<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/);
  const [width, height] = size ? [Number(size[1]), Number(size[2])] : [0, 0];
  if (format === 'svg') return { format, image: new TextEncoder().encode(svg), width, height, markers };

  const { Resvg } = await resvg();
  const fonts = await Promise.all(['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map(async (f) => new Uint8Array(await readFile(require.resolve(`dejavu-fonts-ttf/ttf/${f}`)))));
  const renderer = new Resvg(svg, { font: { fontBuffers: fonts, defaultFontFamily: 'DejaVu Sans' }, fitTo: { mode: 'zoom', value: zoom }, background: 'white' });
  // wasm-bindgen objects live in the module's memory until freed.
  const rendered = renderer.render();
  try {
    return { format, image: rendered.asPng(), width: rendered.width, height: rendered.height, markers };
  } finally {
    rendered.free();
    renderer.free();
  }
}

/** Renders the plot (PNG or SVG, by the extension) and writes it atomically; returns the path. */
export async function writeFrontierPlot(path: string, rows: readonly BenchRow[], options: FrontierPlotOptions = {}): Promise<string> {
  if (!PlotPathSchema.safeParse(path).success) throw new CliError(`--plot: ${path} must end in .png or .svg`);
  const plot = await renderFrontierPlot(rows, path.toLowerCase().endsWith('.svg') ? 'svg' : 'png', options);
  await ensureDir(dirname(path));
  await writeFileAtomic(path, plot.image);
  return path;
}

type Point = { plan: string; family: string; imagesPerSec: number; fid: number };

/** The Vega specification: scales padded around the points, lines per family, markers, placed labels. */
function frontierSpec(points: Point[], families: string[], subtitle: string[], extractor: string): Spec {
  const padded = (values: number[]) => {
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const pad = hi > lo ? (hi - lo) * 0.08 : Math.max(Math.abs(lo) * 0.1, 1);
    return [lo - pad, hi + pad];
  };
  // One broken few-step plan (FID 40 beside 5-7) would flatten every other point onto a line: a
  // wide positive FID range is drawn on a log axis, where equal ratios look equal.
  const fids = points.map((p) => p.fid);
  const logY = Math.min(...fids) > 0 && Math.max(...fids) / Math.min(...fids) > 3;
  const yDomain = logY ? [Math.min(...fids) / 1.15, Math.max(...fids) * 1.15] : padded(fids);
  return {
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    padding: PADDING,
    autosize: 'pad',
    background: 'white',
    config: {
      text: { font: FONT },
      axis: { labelFont: FONT, titleFont: FONT, labelFontSize: 11, titleFontSize: 12 },
      legend: { labelFont: FONT, titleFont: FONT, labelFontSize: 11, titleFontSize: 12 },
      title: { font: FONT, subtitleFont: FONT, fontSize: 15, subtitleFontSize: 11, subtitleColor: '#444' },
    },
    title: { text: 'FID against images/s, per sampler family', subtitle, anchor: 'start', offset: 14 },
    data: [{ name: 'points', values: points }],
    scales: [
      { name: 'x', type: 'linear', domain: padded(points.map((p) => p.imagesPerSec)), range: 'width', zero: false, nice: true },
      { name: 'y', type: logY ? 'log' : 'linear', domain: yDomain, range: 'height', zero: false, nice: !logY },
      { name: 'color', type: 'ordinal', domain: families, range: 'category' },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', grid: true, title: 'images/s (samples per second of sampling; higher is faster)' },
      { orient: 'left', scale: 'y', grid: true, title: `FID (${extractor} features; lower is better${logY ? '; log scale' : ''})` },
    ],
    legends: [{ fill: 'color', stroke: 'color', symbolType: 'circle', title: 'sampler family', labelLimit: 400, orient: 'right' }],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'family_points', data: 'points', groupby: 'family' } },
        marks: [
          {
            type: 'line',
            from: { data: 'family_points' },
            sort: { field: 'datum.imagesPerSec' },
            encode: { enter: { x: { scale: 'x', field: 'imagesPerSec' }, y: { scale: 'y', field: 'fid' }, stroke: { scale: 'color', field: 'family' }, strokeWidth: { value: 2 } } },
          },
        ],
      },
      {
        type: 'symbol',
        name: 'markers',
        from: { data: 'points' },
        encode: { enter: { x: { scale: 'x', field: 'imagesPerSec' }, y: { scale: 'y', field: 'fid' }, fill: { scale: 'color', field: 'family' }, stroke: { value: 'white' }, strokeWidth: { value: 1.5 }, size: { value: 100 } } },
      },
      {
        type: 'text',
        from: { data: 'markers' },
        encode: { enter: { text: { field: 'datum.plan' }, fontSize: { value: 11 }, fill: { scale: 'color', field: 'datum.family' } } },
        transform: [
          // Labels avoid each other and the plot's edge; avoiding the lines too would need a
          // canvas module to rasterise them. A label with no free place stays, beside its marker.
          {
            type: 'label',
            size: { signal: '[width, height]' },
            avoidBaseMark: false,
            anchor: ['top-right', 'right', 'bottom-right', 'top-left', 'left', 'bottom-left', 'top', 'bottom'],
            offset: [5, 5, 5, 5, 5, 5, 7, 7],
            as: ['x', 'y', 'placed', 'align', 'baseline'],
          },
          { type: 'formula', expr: 'datum.placed ? datum.x : datum.datum.x + 8', as: 'x' },
          { type: 'formula', expr: 'datum.placed ? datum.y : datum.datum.y', as: 'y' },
          { type: 'formula', expr: "datum.placed ? datum.align : 'left'", as: 'align' },
          { type: 'formula', expr: "datum.placed ? datum.baseline : 'middle'", as: 'baseline' },
        ],
      },
    ],
  } as Spec;
}
