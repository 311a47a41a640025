import { join } from 'node:path';
import { ensureDir } from '@lowdiff/backend';
import { imageGrid, writePng } from '@lowdiff/data';
import { CliError } from './cli-error';
import { toBytes, upscaleNearest, type Generated } from './generate';

/** Writes grid.png, stage-strip.png and (optionally) images/NNNNN.png, numbered from `firstIndex` (a shard's). */
export async function writeSamples(dir: string, gen: Generated, perImage: boolean, firstIndex = 0): Promise<{ grid: string; strip: string; images?: string }> {
  const { resolution: r, channels: c } = gen;
  const bytes = toBytes(gen.images);
  const gridCount = Math.min(gen.count, 100);
  const grid = join(dir, 'grid.png');
  await writePng(grid, imageGrid(bytes, gridCount, r, r, c, { columns: Math.min(10, gridCount) }));
  // Stage strip: one row per sample, one column per stage, each stage scaled up to r.
  const n = gen.strip[0].images.length / (gen.strip[0].resolution ** 2 * c);
  const cells = new Uint8Array(n * gen.strip.length * r * r * c);
  gen.strip.forEach((s, k) => {
    const up = toBytes(upscaleNearest(s.images, n, s.resolution, c, r / s.resolution));
    for (let i = 0; i < n; i++) cells.set(up.subarray(i * r * r * c, (i + 1) * r * r * c), (i * gen.strip.length + k) * r * r * c);
  });
  const strip = join(dir, 'stage-strip.png');
  await writePng(strip, imageGrid(cells, n * gen.strip.length, r, r, c, { columns: gen.strip.length }));
  if (!perImage) return { grid, strip };
  const size = r * r * c;
  for (let i = 0; i < gen.count; i++)
    await writePng(join(dir, 'images', `${String(firstIndex + i).padStart(5, '0')}.png`), { data: bytes.subarray(i * size, (i + 1) * size), height: r, width: r, channels: c });
  return { grid, strip, images: join(dir, 'images') };
}

/** Creates the --out folder before any work, so a folder that cannot exist fails at once (exit 2). */
export async function prepareOutDir(dir: string): Promise<void> {
  try {
    await ensureDir(dir);
  } catch (err) {
    throw new CliError(`--out: ${(err as Error).message}`);
  }
}
