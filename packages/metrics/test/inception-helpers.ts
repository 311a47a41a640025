import { Rng } from '@lowdiff/backend';
import { encodeSafetensors, type WritableTensor } from '@lowdiff/model';
import { INCEPTION_V3_PARAMETERS } from '../src/index';

/**
 * A random state dict with every name and shape of pt_inception-2015-12-05, in PyTorch layout.
 * He-scaled conv weights and BatchNorm statistics near (0, 1) keep activations O(1) through the
 * 94 layers, so the outputs are informative numbers rather than 0 or overflow. Each tensor is
 * drawn from its own stream (seed, index), so dropping or reshaping one leaves the others alone.
 */
export function randomInceptionStateDict(seed: number): Map<string, WritableTensor> {
  const out = new Map<string, WritableTensor>();
  let index = 0;
  for (const [name, shape] of INCEPTION_V3_PARAMETERS) {
    const rng = Rng.derive(seed, index++);
    const n = shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if (name.endsWith('.conv.weight')) {
      const a = Math.sqrt(3) * Math.sqrt(2 / (n / shape[0]));
      data = rng.uniformArray(n, -a, a);
    } else if (name === 'fc.weight') {
      const a = Math.sqrt(3 / shape[1]);
      data = rng.uniformArray(n, -a, a);
    } else if (name.endsWith('.bn.weight') || name.endsWith('.bn.running_var')) {
      data = rng.uniformArray(n, 0.5, 1.5);
    } else {
      data = rng.uniformArray(n, -0.2, 0.2);
    }
    out.set(name, { shape: [...shape], data });
  }
  return out;
}

/** safetensors bytes with every tensor stored as F16 (our encoder writes F32 only). */
export function encodeSafetensorsF16(tensors: Map<string, WritableTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    header[name] = { dtype: 'F16', shape: t.shape, data_offsets: [offset, offset + 2 * t.data.length] };
    offset += 2 * t.data.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    for (const v of tensors.get(name)!.data) {
      view.setUint16(pos, floatToHalf(v), true);
      pos += 2;
    }
  }
  return out;
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** Round-to-nearest-even float32 -> IEEE half (normal range and subnormals; no NaN inputs here). */
export function floatToHalf(value: number): number {
  F32[0] = value;
  const bits = U32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = ((bits >>> 23) & 0xff) - 127 + 15;
  let mant = bits & 0x7fffff;
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && (half & 1)) ? 1 : 0));
  }
  const half = (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && (half & 1)) ? 1 : 0));
}

/** Our F32 encoding of the same tensors (re-exported so tests need one import). */
export const encodeSafetensorsF32 = encodeSafetensors;
