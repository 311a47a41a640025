import { writeFileAtomic } from '@lowdiff/backend';
import { checkpointFromContents, CheckpointError, CHECKPOINT_FORMAT, encodeCheckpoint, type CheckpointExtras, type CheckpointLoadOptions, type LoadedCheckpoint } from './checkpoint';
import { parseModelConfig } from './config';
import type { EdmDenoiser } from './edm-denoiser';
import { SafetensorsError } from './safetensors';
import { readSafetensorsFile, readSafetensorsMetadata } from './safetensors-file';
import { trainedForFromTraining, type TrainedFor } from './trained-for';

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

/**
 * What a checkpoint file's weights were trained for (`model.trainedFor` of the loaded model),
 * from its header alone: no weights are read, no model is built. Null where the file has no
 * training config.
 *
 * @throws {@link CheckpointError} for a file that is not a readable LowDiff checkpoint.
 */
export async function readTrainedFor(path: string): Promise<TrainedFor | null> {
  try {
    const metadata = await readSafetensorsMetadata(path);
    if (metadata.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`${path}: not a LowDiff checkpoint (metadata.format is ${JSON.stringify(metadata.format)})`);
    const training = metadata.training === undefined ? undefined : JSON.parse(metadata.training);
    return trainedForFromTraining(training, parseModelConfig(JSON.parse(metadata.config ?? 'null')));
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError(`cannot read checkpoint metadata: ${(err as Error).message}`);
  }
}
