import { writeFileAtomic } from '@lowdiff/backend';
import { checkpointFromContents, CheckpointError, encodeCheckpoint, type CheckpointExtras, type CheckpointLoadOptions, type LoadedCheckpoint } from './checkpoint';
import type { EdmDenoiser } from './edm-denoiser';
import { SafetensorsError } from './safetensors';
import { readSafetensorsFile } from './safetensors-file';

/** Writes model weights, EMA, extra tensors, config and state to one safetensors file, atomically. */
export async function saveCheckpoint(path: string, model: EdmDenoiser, extras: CheckpointExtras = {}): Promise<void> {
  await writeFileAtomic(path, await encodeCheckpoint(model, extras));
}

/**
 * Reads a checkpoint file, rebuilds the model from its config, and checks every weight's name,
 * shape and dtype against it before assigning anything. `use: 'ema'` loads the EMA weights into
 * the model.
 */
export async function loadCheckpoint(path: string, options: CheckpointLoadOptions = {}): Promise<LoadedCheckpoint> {
  let file;
  try {
    file = await readSafetensorsFile(path);
  } catch (err) {
    if (err instanceof SafetensorsError) throw new CheckpointError(`cannot load checkpoint: ${err.message}`);
    throw err;
  }
  return checkpointFromContents(file, path, options);
}
