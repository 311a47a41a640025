import { describe, expect, it } from 'vitest';
import { centerCropSquare, convertChannels, fitImages, padImages, resizeImage } from '../src';

const gray = (values: number[]) => Uint8Array.from(values);

describe('byte-level image operations', () => {
  it('shrinks by exact area means, also for non-integer ratios', () => {
    // 4x4 -> 2x2: 2x2 block means.
    const img = gray([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]);
    expect(Array.from(resizeImage(img, 4, 4, 1, 2, 2))).toEqual([25, 45, 105, 125]);
    // 1x3 -> 1x2: each output covers 1.5 pixels: (a + b/2) / 1.5 and (b/2 + c) / 1.5.
    expect(Array.from(resizeImage(gray([30, 90, 150]), 1, 3, 1, 1, 2))).toEqual([50, 130]);
  });

  it('grows bilinearly with half-pixel centres, clamped at the border', () => {
    // 1x2 [a, b] -> 1x4: source x = (o + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25.
    expect(Array.from(resizeImage(gray([0, 200]), 1, 2, 1, 1, 4))).toEqual([0, 50, 150, 200]);
  });

  it('keeps channels apart and leaves equal sizes untouched', () => {
    const rgb = gray([10, 20, 30, 50, 60, 70]); // 1x2 RGB
    expect(Array.from(resizeImage(rgb, 1, 2, 3, 1, 1))).toEqual([30, 40, 50]);
    expect(Array.from(resizeImage(rgb, 1, 2, 3, 1, 2))).toEqual(Array.from(rgb));
  });

  it('pads into the centre and crops the centred square', () => {
    const out = padImages(gray([1, 2, 3, 4]), 1, 2, 2, 1, 4, 4);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0]);
    // An odd margin puts the extra pixel bottom / right.
    expect(Array.from(padImages(gray([7]), 1, 1, 1, 1, 2, 2))).toEqual([7, 0, 0, 0]);
    const wide = gray([1, 2, 3, 4, 5, 6, 7, 8]); // 2x4
    expect(centerCropSquare(wide, 2, 4, 1)).toEqual({ data: gray([2, 3, 6, 7]), size: 2 });
  });

  it('converts RGB to luma and gray to RGB', () => {
    expect(Array.from(convertChannels(gray([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]), 4, 3, 1))).toEqual([
      76, 150, 29, 9,
    ]);
    expect(Array.from(convertChannels(gray([5, 6]), 2, 1, 3))).toEqual([5, 5, 5, 6, 6, 6]);
  });

  it('fits a batch: pad, resize and crop, with channel conversion', () => {
    const two = gray([1, 2, 3, 4, 5, 6, 7, 8]); // two 2x2 gray images
    expect(Array.from(fitImages(two, 2, 2, 2, 1, 2, 'pad', 3)).slice(0, 6)).toEqual([1, 1, 1, 2, 2, 2]);
    expect(Array.from(fitImages(two, 2, 2, 2, 1, 1, 'resize', 1))).toEqual([3, 7]); // means 2.5 -> 3, 6.5 -> 7
    expect(() => fitImages(two, 2, 2, 2, 1, 1, 'pad', 1)).toThrow("fit 'pad' cannot bring 2x2 images to 1x1");
  });
});
