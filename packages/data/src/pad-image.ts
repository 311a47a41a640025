/**
 * Places each of `count` HWC images in the centre of an outHeight x outWidth canvas filled with
 * `background` (0 = black, the background of MNIST and Fashion-MNIST). An odd margin puts the
 * extra pixel at the bottom / right: 28 -> 32 adds 2 pixels on every side.
 */
export function padImages(
  src: Uint8Array,
  count: number,
  height: number,
  width: number,
  channels: number,
  outHeight: number,
  outWidth: number,
  background = 0,
): Uint8Array {
  if (outHeight < height || outWidth < width) {
    throw new RangeError(`cannot pad ${height}x${width} images to a smaller ${outHeight}x${outWidth}`);
  }
  const top = Math.floor((outHeight - height) / 2);
  const left = Math.floor((outWidth - width) / 2);
  const out = new Uint8Array(count * outHeight * outWidth * channels);
  if (background !== 0) out.fill(background);
  const row = width * channels;
  for (let n = 0; n < count; n++) {
    for (let y = 0; y < height; y++) {
      const from = (n * height + y) * row;
      out.set(src.subarray(from, from + row), ((n * outHeight + top + y) * outWidth + left) * channels);
    }
  }
  return out;
}
