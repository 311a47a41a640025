import type { SafeTensor } from '@lowdiff/model';
import { MetricsError } from './errors';
import { INCEPTION_BN_EPS, INCEPTION_CONVS, INCEPTION_FC_CLASSES, INCEPTION_FEATURE_DIM, type InceptionConv } from './inception-v3-architecture';

/**
 * A weights file is not the FID Inception-v3 state dict: tensors missing, unexpected or of the
 * wrong shape (each listed by name), a non-float dtype, or values that cannot be folded.
 */
export class InceptionWeightsError extends MetricsError {
  /** Expected tensors absent from the file. */
  readonly missing: readonly string[];
  /** Tensors in the file that the network does not have. */
  readonly unexpected: readonly string[];
  /** `name: [found] (expected [shape])` for each tensor of the wrong shape or dtype. */
  readonly misshapen: readonly string[];

  constructor(message: string, lists: { missing?: string[]; unexpected?: string[]; misshapen?: string[] } = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InceptionWeightsError';
    this.missing = lists.missing ?? [];
    this.unexpected = lists.unexpected ?? [];
    this.misshapen = lists.misshapen ?? [];
  }
}

/** The BatchNorm tensors of a BasicConv2d, in state-dict order. */
const BN_FIELDS = ['weight', 'bias', 'running_mean', 'running_var'] as const;

/**
 * Every tensor of the `pt_inception-2015-12-05` state dict, name -> shape, in PyTorch layout:
 * per BasicConv2d `<name>.conv.weight` [out, in, kh, kw] and `<name>.bn.{weight, bias,
 * running_mean, running_var}` [out]; then `fc.weight` [1008, 2048] and `fc.bias` [1008].
 * 94 x 5 + 2 = 472 tensors.
 */
export const INCEPTION_V3_PARAMETERS: ReadonlyMap<string, readonly number[]> = new Map([
  ...INCEPTION_CONVS.flatMap((c): [string, number[]][] => [
    [`${c.name}.conv.weight`, [c.outChannels, c.inChannels, c.kernel[0], c.kernel[1]]],
    ...BN_FIELDS.map((f): [string, number[]] => [`${c.name}.bn.${f}`, [c.outChannels]]),
  ]),
  ['fc.weight', [INCEPTION_FC_CLASSES, INCEPTION_FEATURE_DIM]],
  ['fc.bias', [INCEPTION_FC_CLASSES]],
]);

/** A BasicConv2d with its BatchNorm folded in, in tfjs layout. */
export interface FoldedConv {
  readonly conv: InceptionConv;
  /** [kh, kw, in, out]: the conv weight times the BatchNorm scale of its output channel. */
  readonly filter: Float32Array;
  /** [out]: beta - running_mean * scale. */
  readonly bias: Float32Array;
}

/** The whole network's weights, ready to become tensors. */
export interface FoldedInception {
  /** By conv name, in forward order. */
  readonly convs: ReadonlyMap<string, FoldedConv>;
  /** [2048, 1008]: `fc.weight` transposed. */
  readonly fcWeight: Float32Array;
  /** [1008]. */
  readonly fcBias: Float32Array;
}

/**
 * Checks that `tensors` holds exactly the FID Inception-v3 state dict - every expected name with
 * its shape, nothing else - and throws one {@link InceptionWeightsError} listing every problem.
 * BatchNorm's `num_batches_tracked` counters (present in some PyTorch state dicts, unused at
 * inference) are tolerated and ignored.
 */
export function checkInceptionWeights(tensors: ReadonlyMap<string, SafeTensor>, source = 'weights'): void {
  const missing: string[] = [];
  const misshapen: string[] = [];
  for (const [name, shape] of INCEPTION_V3_PARAMETERS) {
    const t = tensors.get(name);
    if (!t) missing.push(name);
    else if (t.shape.join() !== shape.join()) misshapen.push(`${name}: [${t.shape}] (expected [${shape}])`);
    else if (!(t.data instanceof Float32Array)) misshapen.push(`${name}: dtype ${t.dtype} (expected F32 or F16)`);
  }
  const unexpected = [...tensors.keys()].filter((name) => !INCEPTION_V3_PARAMETERS.has(name) && !isBatchCounter(name));
  if (missing.length + unexpected.length + misshapen.length === 0) return;
  const parts = [
    missing.length > 0 ? `${count(missing.length, 'missing tensor')} (${preview(missing)})` : '',
    unexpected.length > 0 ? `${count(unexpected.length, 'unexpected tensor')} (${preview(unexpected)})` : '',
    misshapen.length > 0 ? `${count(misshapen.length, 'tensor')} of the wrong shape or dtype (${preview(misshapen)})` : '',
  ].filter((p) => p !== '');
  const hint = missing.length === INCEPTION_V3_PARAMETERS.size ? '; convert pt_inception-2015-12-05-6726825d.pth with tools/convert_pt_inception.py' : '';
  throw new InceptionWeightsError(`${source}: not the FID Inception-v3 weights: ${parts.join('; ')}${hint}`, { missing, unexpected, misshapen });
}

/**
 * Turns a checked state dict into tfjs-layout weights with BatchNorm folded into each conv:
 * relu(bn(conv(x, W))) = relu(conv(x, W * s) + (beta - mean * s)) with s = gamma / sqrt(var + eps),
 * one conv and a bias per layer at inference instead of five ops. Arithmetic in float64.
 */
export function foldInceptionWeights(tensors: ReadonlyMap<string, SafeTensor>, source = 'weights'): FoldedInception {
  checkInceptionWeights(tensors, source);
  const get = (name: string) => tensors.get(name)!.data as Float32Array;
  const convs = new Map<string, FoldedConv>();
  for (const conv of INCEPTION_CONVS) {
    const n = conv.name;
    const [gamma, beta, mean, variance] = BN_FIELDS.map((f) => get(`${n}.bn.${f}`));
    const scale = new Float64Array(conv.outChannels);
    const bias = new Float32Array(conv.outChannels);
    for (let o = 0; o < conv.outChannels; o++) {
      scale[o] = gamma[o] / Math.sqrt(variance[o] + INCEPTION_BN_EPS);
      bias[o] = beta[o] - mean[o] * scale[o];
      if (!Number.isFinite(scale[o]) || !Number.isFinite(bias[o]))
        throw new InceptionWeightsError(`${source}: ${n}.bn gives a non-finite scale or shift for channel ${o} (running_var ${variance[o]}, weight ${gamma[o]})`);
    }
    const filter = toTfjsConv(get(`${n}.conv.weight`), conv, scale);
    if (!allFinite(filter)) throw new InceptionWeightsError(`${source}: ${n}.conv.weight contains NaN or infinite values`);
    convs.set(n, { conv, filter, bias });
  }
  const fcWeight = transpose2d(get('fc.weight'), INCEPTION_FC_CLASSES, INCEPTION_FEATURE_DIM);
  const fcBias = Float32Array.from(get('fc.bias'));
  if (!allFinite(fcWeight) || !allFinite(fcBias)) throw new InceptionWeightsError(`${source}: fc contains NaN or infinite values`);
  return { convs, fcWeight, fcBias };
}


function isBatchCounter(name: string): boolean {
  return name.endsWith('.bn.num_batches_tracked') && INCEPTION_V3_PARAMETERS.has(name.replace(/num_batches_tracked$/, 'weight'));
}

/** PyTorch [out, in, kh, kw] -> tfjs [kh, kw, in, out], each output channel scaled. */
function toTfjsConv(w: Float32Array, conv: InceptionConv, scale: Float64Array): Float32Array {
  const { outChannels: co, inChannels: ci } = conv;
  const [kh, kw] = conv.kernel;
  const out = new Float32Array(w.length);
  for (let o = 0; o < co; o++) {
    for (let i = 0; i < ci; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) out[((y * kw + x) * ci + i) * co + o] = w[((o * ci + i) * kh + y) * kw + x] * scale[o];
      }
    }
  }
  return out;
}

function allFinite(a: Float32Array): boolean {
  // x * 0 is 0 for finite x and NaN for NaN or +-Infinity; one pass, no closure per element.
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * 0;
  return sum === 0;
}

function transpose2d(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

function preview(names: string[], max = 8): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, ... and ${names.length - max} more`;
}
