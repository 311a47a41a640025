import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodePng, imageGrid } from '../src';

describe('PNG output', () => {
  it('encodes grayscale and RGB images that decode back to the same pixels', () => {
    for (const channels of [1, 3]) {
      const data = Uint8Array.from({ length: 5 * 4 * channels }, (_, i) => (i * 37) % 256);
      const decoded = PNG.sync.read(Buffer.from(encodePng({ data, height: 5, width: 4, channels })));
      expect([decoded.width, decoded.height]).toEqual([4, 5]);
      for (let p = 0; p < 20; p++)
        for (let c = 0; c < 3; c++) expect(decoded.data[p * 4 + c]).toBe(data[p * channels + (channels === 1 ? 0 : c)]);
    }
    expect(() => encodePng({ data: new Uint8Array(3), height: 2, width: 2, channels: 1 })).toThrow(/3 bytes for a 2x2x1 image/);
  });

  it('tiles images into a grid with padding', () => {
    const images = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]); // three 2x2 gray images
    const g = imageGrid(images, 3, 2, 2, 1, { columns: 2, pad: 1, background: 0 });
    expect([g.height, g.width]).toEqual([7, 7]);
    const at = (y: number, x: number) => g.data[y * 7 + x];
    expect([at(1, 1), at(1, 2), at(2, 1), at(2, 2)]).toEqual([1, 2, 3, 4]);
    expect([at(1, 4), at(2, 5)]).toEqual([5, 8]);
    expect([at(4, 1), at(5, 2)]).toEqual([9, 12]);
    expect(at(4, 4)).toBe(0);
  });
});
