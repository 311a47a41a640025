import { existsSync } from 'node:fs';
import { loadAutoencoderKL, loadKlAutoencoder, type LatentAdapter } from '@lowdiff/vae';
import { CliError } from './cli-error';

/** Which autoencoder a --vae value names: `kl:<file>` (ours, from train-vae; a bare path is one too) or `sd:<file>`. */
export function parseVaeSpec(spec: string): { kind: 'kl' | 'sd'; path: string } {
  const m = /^(kl|sd):(.+)$/.exec(spec);
  return m ? { kind: m[1] as 'kl' | 'sd', path: m[2] } : { kind: 'kl', path: spec };
}

/**
 * Loads the pipeline's latent adapter from a --vae value: a KL autoencoder written by `train-vae`
 * (it must hold measured latent statistics), or Stable Diffusion's AutoencoderKL
 * (diffusers' safetensors layout, e.g. sd-vae-ft-mse, or one saved by `saveAutoencoderKL`).
 */
export async function loadVae(spec: string, flag = '--vae'): Promise<LatentAdapter> {
  const { kind, path } = parseVaeSpec(spec);
  if (!existsSync(path)) throw new CliError(`${flag}: no such file ${path}`);
  try {
    if (kind === 'sd') return await loadAutoencoderKL(path);
    const { autoencoder, optimizer } = await loadKlAutoencoder(path);
    for (const t of optimizer.values()) t.dispose();
    if (autoencoder.normalisation.kind !== 'per-channel') {
      autoencoder.dispose();
      throw new Error('it has no measured latent statistics (train-vae measures them after training)');
    }
    return autoencoder;
  } catch (err) {
    throw new CliError(`${flag}: ${kind === 'sd' ? 'as an SD AutoencoderKL: ' : ''}${(err as Error).message}`);
  }
}

/** The VAE a latent checkpoint was trained with (recorded by `train`), unless --vae overrides it. */
export function vaePathFor(flag: string | undefined, info: unknown): string {
  if (flag) return flag;
  const recorded = (info as { vae?: unknown } | undefined)?.vae;
  if (typeof recorded === 'string') return recorded;
  throw new CliError('--vae: the checkpoint records no VAE; pass --vae kl:<file> or sd:<file>');
}
