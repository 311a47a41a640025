/**
 * Converts `pixels` pixels between grayscale (1 channel) and RGB (3 channels). RGB -> gray uses
 * ITU-R 601 luma, L = (299 R + 587 G + 114 B) / 1000 rounded, as PIL's `convert('L')` does;
 * gray -> RGB repeats the value in all three channels.
 */
export function convertChannels(src: Uint8Array, pixels: number, from: number, to: number): Uint8Array {
  if (from === to) return src;
  const out = new Uint8Array(pixels * to);
  if (from === 3 && to === 1) {
    for (let p = 0; p < pixels; p++) {
      out[p] = Math.round((299 * src[3 * p] + 587 * src[3 * p + 1] + 114 * src[3 * p + 2]) / 1000);
    }
  } else if (from === 1 && to === 3) {
    for (let p = 0; p < pixels; p++) {
      const v = src[p];
      out[3 * p] = v;
      out[3 * p + 1] = v;
      out[3 * p + 2] = v;
    }
  } else {
    throw new RangeError(`cannot convert ${from} channels to ${to}; supported: 1 <-> 3`);
  }
  return out;
}
