import { floatToBytes } from '@lowdiff/data';

/**
 * Draws `count` NHWC images (1 or 3 channels) as a grid at their own resolution; CSS scales the
 * canvas up with crisp pixels (`image-rendering: pixelated`), so an 8x8 draft looks like one.
 */
export function drawGrid(canvas: HTMLCanvasElement, images: Float32Array, count: number, r: number, channels: number, columns: number, cell: number): void {
  const rows = Math.ceil(count / columns);
  canvas.width = columns * r;
  canvas.height = rows * r;
  canvas.style.width = `${columns * cell}px`;
  canvas.style.height = `${rows * cell}px`;
  const ctx = canvas.getContext('2d')!;
  const data = ctx.createImageData(canvas.width, canvas.height);
  const bytes = floatToBytes(images); // rounded as the CLI's PNGs are
  for (let k = 0; k < count; k++) {
    const x0 = (k % columns) * r;
    const y0 = Math.floor(k / columns) * r;
    for (let y = 0; y < r; y++)
      for (let x = 0; x < r; x++) {
        const src = ((k * r + y) * r + x) * channels;
        const dst = ((y0 + y) * canvas.width + x0 + x) * 4;
        data.data[dst] = bytes[src];
        data.data[dst + 1] = bytes[src + (channels > 1 ? 1 : 0)];
        data.data[dst + 2] = bytes[src + (channels > 1 ? 2 : 0)];
        data.data[dst + 3] = 255;
      }
  }
  ctx.putImageData(data, 0, 0);
}
