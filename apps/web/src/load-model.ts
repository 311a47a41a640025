import { decodeCheckpoint, forSampling, type SamplingModel } from '@lowdiff/model';

/** The checkpoint the page samples: the one apps/pixel ships, served beside the page. */
export const CHECKPOINT_URL = `${import.meta.env.BASE_URL}model/fmnist-lowdiff.safetensors`;

let bytes: Promise<Uint8Array> | null = null;

/**
 * The shipped model with its EMA weights, on tfjs's current backend. The file is fetched once;
 * each call decodes it again (a runtime switch moves the model to another backend).
 */
export async function loadShippedModel(): Promise<SamplingModel> {
  bytes ??= fetch(CHECKPOINT_URL).then(async (res) => {
    if (!res.ok) throw new Error(`${CHECKPOINT_URL}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  });
  return forSampling(decodeCheckpoint(await bytes, CHECKPOINT_URL, { use: 'prefer-ema' }));
}
