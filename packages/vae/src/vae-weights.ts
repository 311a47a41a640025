import * as tf from '@tensorflow/tfjs';
import type { ParamStore, SafeTensor, WritableTensor } from '@lowdiff/model';
import { AutoencoderWeightsError } from './errors';
import { torchShape, vaeWeightSpecs, type VaeArchitecture } from './vae-architecture';

// Older diffusers releases (and files converted with them, such as sd-vae-ft-mse's) name the
// attention projections query/key/value/proj_attn; newer ones to_q/to_k/to_v/to_out.0.
const LEGACY_ATTENTION: Record<string, string> = { query: 'to_q', key: 'to_k', value: 'to_v', proj_attn: 'to_out.0' };
const LEGACY_PATTERN = /^(.*\.attentions\.\d+)\.(query|key|value|proj_attn)\.(weight|bias)$/;

/** A file's tensor name under the current diffusers naming. */
export function canonicalWeightName(name: string): string {
  const m = LEGACY_PATTERN.exec(name);
  return m ? `${m[1]}.${LEGACY_ATTENTION[m[2]]}.${m[3]}` : name;
}

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);
const MAX_LISTED = 25;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Checks a file's tensors (PyTorch layout, diffusers names, legacy attention names accepted)
 * against the architecture and converts them to our layout. Every problem is collected first -
 * missing, unexpected, mis-shaped or non-float tensors, two names for one weight - and reported
 * together, each naming its tensor; nothing is allocated unless all is well. The caller owns the
 * returned tensors.
 * @throws {@link AutoencoderWeightsError}
 */
export function weightsFromTorchLayout(
  tensors: Map<string, SafeTensor>,
  arch: VaeArchitecture,
  source: string,
  configNote = '',
): Map<string, tf.Tensor> {
  const specs = vaeWeightSpecs(arch);
  const problems: string[] = [];
  const found = new Map<string, { fileName: string; t: SafeTensor }>();
  for (const [fileName, t] of tensors) {
    const name = canonicalWeightName(fileName);
    const spec = specs.get(name);
    if (!spec) {
      problems.push(`unexpected tensor '${fileName}' (not part of this architecture)`);
      continue;
    }
    const prior = found.get(name);
    if (prior) {
      problems.push(`tensor '${fileName}' and '${prior.fileName}' are both '${name}'`);
      continue;
    }
    found.set(name, { fileName, t });
    if (!FLOAT_DTYPES.has(t.dtype)) problems.push(`tensor '${fileName}' has dtype ${t.dtype}, expected a float type (F32, F16, BF16, F64)`);
    const want = torchShape(spec);
    // A 1x1 conv stored where a linear layer is expected (the original attention blocks) is the same matrix.
    const ok = sameShape(t.shape, want) || (spec.layout === 'linear' && sameShape(t.shape, [...want, 1, 1]));
    if (!ok) problems.push(`tensor '${fileName}' has shape [${t.shape}], expected [${want}]${spec.layout === 'linear' ? ` or [${want},1,1]` : ''}`);
  }
  for (const name of specs.keys()) if (!found.has(name)) problems.push(`missing tensor '${name}' (shape [${torchShape(specs.get(name)!)}])`);
  if (problems.length > 0) {
    const noneKnown = found.size === 0 && tensors.size > 0;
    const hint = noneKnown
      ? `\n  (none of the file's ${tensors.size} tensors has a diffusers AutoencoderKL name, e.g. '${tensors.keys().next().value}'; original LDM/CompVis checkpoints must be converted with diffusers first)`
      : '';
    const listed = problems.slice(0, MAX_LISTED).map((p) => `\n  - ${p}`).join('');
    const more = problems.length > MAX_LISTED ? `\n  ... and ${problems.length - MAX_LISTED} more` : '';
    throw new AutoencoderWeightsError(
      `${source}: the weights do not match the AutoencoderKL config${configNote} (${problems.length} problem${problems.length > 1 ? 's' : ''}):${listed}${more}${hint}`,
      problems,
    );
  }
  const out = new Map<string, tf.Tensor>();
  for (const [name, { t }] of found) {
    const spec = specs.get(name)!;
    out.set(
      name,
      tf.tidy(() => {
        const raw = tf.tensor(t.data as Float32Array, t.shape, 'float32');
        if (spec.layout === 'conv') return tf.transpose(raw, [2, 3, 1, 0]);
        if (spec.layout === 'linear') return tf.transpose(tf.reshape(raw, torchShape(spec)), [1, 0]);
        return raw;
      }),
    );
  }
  return out;
}

/** The store's weights in PyTorch layout under their diffusers names, ready for encodeSafetensors. */
export async function weightsToTorchLayout(store: ParamStore, arch: VaeArchitecture): Promise<Map<string, WritableTensor>> {
  const specs = vaeWeightSpecs(arch);
  const out = new Map<string, WritableTensor>();
  for (const [name, v] of store.entries()) {
    const spec = specs.get(name);
    if (!spec) throw new AutoencoderWeightsError(`weight '${name}' is not part of the architecture`, [name]);
    const t =
      spec.layout === 'conv' ? tf.transpose(v, [3, 2, 0, 1]) : spec.layout === 'linear' ? tf.transpose(v, [1, 0]) : tf.clone(v);
    out.set(name, { shape: t.shape, data: (await t.data()) as Float32Array });
    t.dispose();
  }
  return out;
}
