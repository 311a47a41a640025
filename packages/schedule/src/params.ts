import { z } from 'zod';

/**
 * Thrown when a parameter set fails its zod schema.
 *
 * @remarks
 * The message names every bad field by its path, e.g.
 * `Invalid KarrasSigmaParams: sigmaMin: must be < sigmaMax`, so a bad value in a
 * config file can be found without reading a zod issue dump. The original
 * {@link z.ZodError} stays reachable as `cause`, and its issues as `issues`.
 */
export class ScheduleParamError extends Error {
  /** Name of the parameter set that failed, e.g. `KarrasSigmaParams`. */
  readonly label: string;
  /** The zod issues, unchanged, for programmatic inspection. */
  readonly issues: z.ZodError['issues'];

  constructor(label: string, error: z.ZodError) {
    super(`Invalid ${label}: ${formatZodIssues(error.issues)}`, { cause: error });
    this.name = 'ScheduleParamError';
    this.label = label;
    this.issues = error.issues;
  }
}

/**
 * Renders zod issues as `path: message; path: message`, with `(root)` for an
 * issue on the value itself and dotted paths for nested fields (`stages.1.resolution`).
 */
export function formatZodIssues(issues: z.ZodError['issues']): string {
  return issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      // A bad record key is reported as a generic "Invalid key in record" wrapping the
      // key schema's own issues; those carry the message worth showing.
      const message =
        issue.code === 'invalid_key' && issue.issues.length > 0
          ? issue.issues.map((inner) => inner.message).join(', ')
          : issue.message;
      return `${path}: ${message}`;
    })
    .join('; ');
}

/**
 * Parses `input` with `schema` and returns the output (defaults filled in).
 *
 * @param schema - the zod schema of the parameter set
 * @param input - the untrusted value
 * @param label - the parameter set's name, used as the message prefix
 * @throws {@link ScheduleParamError} naming each bad field when parsing fails
 */
export function parseParams<S extends z.ZodType>(schema: S, input: unknown, label: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ScheduleParamError(label, result.error);
  return result.data;
}

// Shared field schemas. Messages are short and phrased as the rule broken, because
// they are appended to "<field>: ".

/** Number of sampling steps (sigma intervals): an integer >= 1. */
export const StepsSchema = z.number().int('must be an integer').min(1, 'must be >= 1').max(10_000, 'must be <= 10000 (EDM samples in 18 to 256; a larger count is a typo)');

/** A finite number > 0. */
export const PositiveSchema = z.number().positive('must be > 0');
