import { z } from 'zod';

/** Base class of every error this package throws on bad input, so callers can catch them as one. */
export class MetricsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetricsError';
  }
}

/**
 * An options object failed its zod schema. The message names every bad field, e.g.
 * `Invalid KidOptions: subsetSize: must be >= 2`; the zod issues stay reachable as `issues`.
 */
export class MetricsParamError extends MetricsError {
  /** Name of the options set that failed, e.g. `KidOptions`. */
  readonly label: string;
  readonly issues: z.ZodError['issues'];

  constructor(label: string, error: z.ZodError) {
    super(`Invalid ${label}: ${formatIssues(error.issues)}`, { cause: error });
    this.name = 'MetricsParamError';
    this.label = label;
    this.issues = error.issues;
  }
}

/**
 * Two feature sets or statistics come from different extractors (or have different feature
 * dimensions). Comparing them would produce a number that means nothing, so it is refused.
 */
export class ExtractorMismatchError extends MetricsError {
  constructor(message: string) {
    super(message);
    this.name = 'ExtractorMismatchError';
  }
}

/** A statistics file could not be read: wrong magic, truncated, bad header or checksum. */
export class StatsFileError extends MetricsError {
  /** The file, when the bytes came from one. */
  readonly path?: string;

  constructor(message: string, path?: string, options?: { cause?: unknown }) {
    super(path === undefined ? message : `${path}: ${message}`, options);
    this.name = 'StatsFileError';
    this.path = path;
  }
}

/** An .npy file (or buffer) is not one this package reads, or an array cannot be written as one. */
export class NpyFormatError extends MetricsError {
  constructor(message: string) {
    super(message);
    this.name = 'NpyFormatError';
  }
}

function formatIssues(issues: z.ZodError['issues']): string {
  return issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Parses `input` with `schema`, filling in defaults.
 *
 * @throws {@link MetricsParamError} naming each bad field
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, label: string): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw new MetricsParamError(label, result.error);
  return result.data;
}
