import type { z } from 'zod';

/** A VAE or training config failed validation; the message names every bad field. */
export class VaeConfigError extends Error {
  constructor(
    message: string,
    readonly issues: z.core.$ZodIssue[] = [],
  ) {
    super(message);
    this.name = 'VaeConfigError';
  }
}

/** A tensor handed to an adapter has the wrong rank, size or channel count. */
export class LatentInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LatentInputError';
  }
}

/**
 * A weights file that does not fit the architecture: missing, unexpected or mis-shaped tensors,
 * a non-float dtype, a bad header. `problems` lists each one (the message shows them too, each
 * naming its tensor); nothing was loaded.
 */
export class AutoencoderWeightsError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
    this.name = 'AutoencoderWeightsError';
  }
}

/** Parses `input` with `schema` or throws {@link VaeConfigError} `Invalid <label>: <path>: <rule>; ...`. */
export function parseVaeConfig<S extends z.ZodType>(schema: S, input: unknown, label: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  throw new VaeConfigError(`Invalid ${label}: ${lines.join('; ')}`, r.error.issues);
}

/** Training stopped: too many steps in a row with a non-finite loss; the weights were not updated by them. */
export class VaeTrainingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaeTrainingError';
  }
}
