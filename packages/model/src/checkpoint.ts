import * as tf from '@tensorflow/tfjs';
import { parseModelConfig, ModelConfigError, type ModelConfig } from './config';
import { EdmDenoiser } from './edm-denoiser';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, type SafetensorsContents, type WritableTensor } from './safetensors';
import { trainedForFromTraining } from './trained-for';

export const CHECKPOINT_FORMAT = 'lowdiff-checkpoint/1';

/** What a checkpoint holds besides the model weights. */
export interface CheckpointExtras {
  /** EMA weights by model weight name. */
  ema?: Map<string, tf.Tensor>;
  /** Further named tensors, e.g. optimizer moments (`adam.m/<weight>`). */
  tensors?: Map<string, tf.Tensor>;
  /** Training state (step, RNG state, ...), any JSON. */
  training?: unknown;
  /** How the checkpoint was made (command, steps, wall time, ...), any JSON. */
  info?: unknown;
  /** Ship only the EMA weights (they become the model weights on load). */
  emaOnly?: boolean;
}

export interface LoadedCheckpoint {
  config: ModelConfig;
  /**
   * The model, holding the raw weights (or the EMA ones if the file has only those / `use: 'ema'`),
   * and `model.trainedFor`, what they were trained for (from `training.config`; null without it).
   */
  model: EdmDenoiser;
  ema: Map<string, tf.Tensor> | null;
  /** Whether the file holds raw (trained) weights besides or instead of EMA ones. */
  hasRawWeights: boolean;
  tensors: Map<string, tf.Tensor>;
  training: unknown;
  info: unknown;
  metadata: Record<string, string>;
}

/** A checkpoint that does not match its config or is otherwise unusable; nothing was loaded. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** Model weights, EMA, extra tensors, config and state as the bytes of one safetensors file. */
export async function encodeCheckpoint(model: EdmDenoiser, extras: CheckpointExtras = {}): Promise<Uint8Array> {
  const out = new Map<string, WritableTensor>();
  const put = async (prefix: string, name: string, t: tf.Tensor) => {
    if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new CheckpointError(`cannot save '${name}' of dtype ${t.dtype}`);
    out.set(`${prefix}/${name}`, { shape: t.shape, data: (await t.data()) as Float32Array | Int32Array });
  };
  if (!extras.emaOnly) for (const [name, v] of model.store.entries()) await put('model', name, v);
  if (extras.ema) for (const [name, t] of extras.ema) await put('ema', name, t);
  else if (extras.emaOnly) throw new CheckpointError('emaOnly needs EMA weights');
  if (extras.emaOnly) for (const [name, v] of model.store.entries()) if (!v.trainable) await put('ema', name, v);
  if (extras.tensors) for (const [name, t] of extras.tensors) await put('extra', name, t);
  const metadata: Record<string, string> = { format: CHECKPOINT_FORMAT, config: JSON.stringify(model.config) };
  if (extras.training !== undefined) metadata.training = JSON.stringify(extras.training);
  if (extras.info !== undefined) metadata.info = JSON.stringify(extras.info);
  return encodeSafetensors(out, metadata);
}

/**
 * Decodes a checkpoint (the bytes of its file), rebuilds the model from its config, and checks
 * every weight's name, shape and dtype against it before assigning anything. `use: 'ema'` loads
 * the EMA weights into the model. `source` names the bytes in errors (a path or a URL).
 */
export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint', options: CheckpointLoadOptions = {}): LoadedCheckpoint {
  let contents: SafetensorsContents;
  try {
    contents = decodeSafetensors(bytes, source);
  } catch (err) {
    if (err instanceof SafetensorsError) throw new CheckpointError(`cannot load checkpoint: ${err.message}`);
    throw err;
  }
  return checkpointFromContents(contents, source, options);
}

/**
 * Which weights become the model's: the raw ones (default when present), the EMA ones (an error
 * without them), or the EMA ones when the file has them (what sampling uses).
 */
export interface CheckpointLoadOptions {
  use?: 'raw' | 'ema' | 'prefer-ema';
}

/** {@link decodeCheckpoint} for an already decoded file; `path` names it in errors. */
export function checkpointFromContents(contents: SafetensorsContents, path: string, options: CheckpointLoadOptions = {}): LoadedCheckpoint {
  const { tensors, metadata } = contents;
  if (metadata.format !== CHECKPOINT_FORMAT)
    throw new CheckpointError(`${path}: not a LowDiff checkpoint (metadata.format is ${JSON.stringify(metadata.format)}, expected '${CHECKPOINT_FORMAT}')`);
  let config: ModelConfig;
  try {
    config = parseModelConfig(JSON.parse(metadata.config ?? 'null'));
  } catch (err) {
    const why = err instanceof ModelConfigError ? err.message : `config is not valid JSON (${(err as Error).message})`;
    throw new CheckpointError(`${path}: ${why}`);
  }
  const json = (key: string) => {
    if (metadata[key] === undefined) return undefined;
    try {
      return JSON.parse(metadata[key]);
    } catch {
      throw new CheckpointError(`${path}: metadata.${key} is not valid JSON`);
    }
  };
  const training = json('training');
  const info = json('info');

  const groups = { model: new Map<string, (typeof tensors extends Map<string, infer T> ? T : never)>(), ema: new Map(), extra: new Map() };
  for (const [key, t] of tensors) {
    const slash = key.indexOf('/');
    const prefix = key.slice(0, slash) as keyof typeof groups;
    if (slash < 0 || !Object.hasOwn(groups, prefix)) throw new CheckpointError(`${path}: unexpected tensor '${key}' (expected model/, ema/ or extra/ names)`);
    groups[prefix].set(key.slice(slash + 1), t);
  }
  const hasRaw = groups.model.size > 0;
  const hasEma = groups.ema.size > 0;
  if (!hasRaw && !hasEma) throw new CheckpointError(`${path}: holds no model or EMA weights`);
  if (options.use === 'ema' && !hasEma) throw new CheckpointError(`${path}: has no EMA weights`);

  // Checked against a dry run of the config before anything is allocated: a config that asks
  // for a network the file does not hold (a crafted "huge model") costs nothing but the error.
  const expected = [...EdmDenoiser.plannedWeights(config)];
  const checkGroup = (group: Map<string, { dtype: string; shape: number[]; data: ArrayLike<number> }>, label: string) => {
    const problems: string[] = [];
    for (const [name, shape] of expected) {
      const t = group.get(name);
      if (!t) problems.push(`missing ${label}/${name}`);
      else if (t.dtype !== 'F32') problems.push(`${label}/${name} is ${t.dtype}, expected F32`);
      else if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
        problems.push(`${label}/${name} has shape [${t.shape}], the config needs [${shape}]`);
      else if (!Array.prototype.every.call(t.data, Number.isFinite)) problems.push(`${label}/${name} holds NaN or infinite values`);
    }
    const known = new Set(expected.map(([n]) => n));
    for (const name of group.keys()) if (!known.has(name)) problems.push(`unexpected ${label}/${name}`);
    if (problems.length > 0) {
      const shown = problems.slice(0, 8).join('; ') + (problems.length > 8 ? `; ... (${problems.length} problems)` : '');
      throw new CheckpointError(`${path}: weights do not match the config: ${shown}`);
    }
  };
  if (hasRaw) checkGroup(groups.model, 'model');
  if (hasEma) checkGroup(groups.ema, 'ema');

  const model = new EdmDenoiser(config);
  model.trainedFor = trainedForFromTraining(training, config);
  try {
    const source = (options.use === 'ema' || options.use === 'prefer-ema') && hasEma ? groups.ema : hasRaw ? groups.model : groups.ema;
    // tidy: assign keeps its own reference, the temporary tensor must not outlive it.
    const weights = model.store.entries();
    for (const [name, v] of weights) tf.tidy(() => v.assign(tf.tensor(source.get(name)!.data as Float32Array, v.shape)));
    const ema = hasEma ? new Map(weights.map(([name, v]) => [name, tf.tensor(groups.ema.get(name)!.data as Float32Array, v.shape)] as const)) : null;
    const extra = new Map([...groups.extra].map(([name, t]) => [name, tf.tensor(t.data, t.shape, t.dtype === 'I32' ? 'int32' : 'float32')] as const));
    return { config, model, ema, hasRawWeights: hasRaw, tensors: extra, training, info, metadata };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** What sampling needs of a checkpoint: the model (EMA weights preferred) and its class names. */
export interface SamplingModel {
  model: EdmDenoiser;
  info: unknown;
  classNames?: string[];
}

/** Keeps a loaded checkpoint's model and class names for sampling and frees everything else. */
export function forSampling(ckpt: LoadedCheckpoint): SamplingModel {
  for (const t of ckpt.tensors.values()) t.dispose();
  for (const t of ckpt.ema?.values() ?? []) t.dispose();
  const names = (ckpt.info as { classNames?: unknown } | undefined)?.classNames;
  return { model: ckpt.model, info: ckpt.info, classNames: Array.isArray(names) ? names.map(String) : undefined };
}
