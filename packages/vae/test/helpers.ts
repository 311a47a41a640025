import { Rng } from '@lowdiff/backend';
import { encodeSafetensors } from '@lowdiff/model';
import { torchShape, vaeWeightSpecs, type VaeArchitecture } from '../src';

/** Random weights for `arch` in PyTorch layout under diffusers names (as a diffusers file holds them). */
export function randomTorchWeights(arch: VaeArchitecture, seed: number): Map<string, { shape: number[]; data: Float32Array }> {
  const rng = new Rng(seed);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, spec] of vaeWeightSpecs(arch)) {
    const shape = torchShape(spec);
    const size = shape.reduce((a, b) => a * b, 1);
    const fanIn = spec.layout === 'conv' ? shape[1] * shape[2] * shape[3] : spec.layout === 'linear' ? shape[1] : 1;
    const isNormScale = spec.layout === 'vector' && /norm[^.]*\.weight$/.test(name);
    const data = spec.layout === 'vector' ? rng.normalArray(size, isNormScale ? 1 : 0, 0.1) : rng.normalArray(size, 0, 1 / Math.sqrt(fanIn));
    out.set(name, { shape, data });
  }
  return out;
}

/** The legacy attention names (query/key/value/proj_attn), optionally as 4-D 1x1-conv weights. */
export function toLegacyAttention(
  weights: Map<string, { shape: number[]; data: Float32Array }>,
  as4d: boolean,
): Map<string, { shape: number[]; data: Float32Array }> {
  const rename: Record<string, string> = { to_q: 'query', to_k: 'key', to_v: 'value', 'to_out.0': 'proj_attn' };
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, t] of weights) {
    const m = /^(.*\.attentions\.0)\.(to_q|to_k|to_v|to_out\.0)\.(weight|bias)$/.exec(name);
    if (!m) out.set(name, t);
    else out.set(`${m[1]}.${rename[m[2]]}.${m[3]}`, { shape: as4d && m[3] === 'weight' ? [...t.shape, 1, 1] : t.shape, data: t.data });
  }
  return out;
}

function floatToHalf(v: number): number {
  const f32 = new Float32Array([v]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = ((bits >>> 23) & 0xff) - 127 + 15;
  const mant = bits & 0x7fffff;
  if (exp <= 0) return sign | Math.round((mant | 0x800000) / 2 ** (14 - exp)); // subnormal (tiny weights only)
  if (exp >= 31) return sign | 0x7c00;
  let h = sign | (exp << 10) | (mant >>> 13);
  if (mant & 0x1000) h++; // round half up; adequate for test data
  return h;
}

/** A safetensors file with every tensor stored as F16, written independently of the model package's codec. */
export function encodeF16(tensors: Map<string, { shape: number[]; data: Float32Array }>, metadata: Record<string, string> = {}): { bytes: Uint8Array; rounded: Map<string, Float32Array> } {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const parts: Uint16Array[] = [];
  const rounded = new Map<string, Float32Array>();
  for (const [name, t] of tensors) {
    const half = Uint16Array.from(t.data, floatToHalf);
    parts.push(half);
    rounded.set(name, Float32Array.from(half, halfToFloat));
    header[name] = { dtype: 'F16', shape: t.shape, data_offsets: [offset, offset + half.byteLength] };
    offset += half.byteLength;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer), pos);
    pos += p.byteLength;
  }
  return { bytes: out, rounded };
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

export function encodeF32(tensors: Map<string, { shape: number[]; data: Float32Array }>, metadata: Record<string, string> = {}): Uint8Array {
  return encodeSafetensors(tensors, metadata);
}

/**
 * PyTorch's conv2d, written out: NHWC input, OIHW weight, zero padding (top, bottom, left,
 * right), stride. A reference independent of tfjs.
 */
export function torchConv2dReference(
  x: Float32Array,
  [n, h, w, cin]: number[],
  weight: Float32Array,
  [cout, , kh, kw]: number[],
  bias: Float32Array,
  stride: number,
  [pt, pb, pl, pr]: number[],
): { data: Float32Array; shape: number[] } {
  const oh = Math.floor((h + pt + pb - kh) / stride) + 1;
  const ow = Math.floor((w + pl + pr - kw) / stride) + 1;
  const out = new Float32Array(n * oh * ow * cout);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let o = 0; o < cout; o++) {
          let s = bias[o];
          for (let ky = 0; ky < kh; ky++)
            for (let kx = 0; kx < kw; kx++) {
              const iy = oy * stride + ky - pt;
              const ix = ox * stride + kx - pl;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (let i = 0; i < cin; i++) s += x[((b * h + iy) * w + ix) * cin + i] * weight[((o * cin + i) * kh + ky) * kw + kx];
            }
          out[((b * oh + oy) * ow + ox) * cout + o] = s;
        }
  return { data: out, shape: [n, oh, ow, cout] };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
