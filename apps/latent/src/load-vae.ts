import { existsSync } from 'node:fs';
import { loadKlAutoencoder, type KlAutoencoder } from '@lowdiff/vae';
import { CliError } from '@lowdiff/cli-kit';

/** Loads a KL autoencoder written by `train-vae` as the pipeline's latent adapter. */
export async function loadVae(path: string, flag = '--vae'): Promise<KlAutoencoder> {
  if (!existsSync(path)) throw new CliError(`${flag}: no such file ${path}`);
  try {
    const { autoencoder, optimizer } = await loadKlAutoencoder(path);
    for (const t of optimizer.values()) t.dispose();
    if (autoencoder.normalisation.kind !== 'per-channel')
      throw new Error('it has no measured latent statistics (train-vae measures them after training)');
    return autoencoder;
  } catch (err) {
    throw new CliError(`${flag}: ${(err as Error).message}`);
  }
}

/** The VAE a latent checkpoint was trained with (recorded by `train`), unless --vae overrides it. */
export function vaePathFor(flag: string | undefined, info: unknown): string {
  if (flag) return flag;
  const recorded = (info as { vae?: unknown } | undefined)?.vae;
  if (typeof recorded === 'string') return recorded;
  throw new CliError('--vae: the checkpoint records no VAE; pass --vae <file>');
}
