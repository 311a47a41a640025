import { z } from 'zod';

/**
 * An option set failed its zod schema, or an argument has the wrong shape. The message names every
 * bad field by its path (`batchSize: must be >= 1`), so a bad value in a CLI flag or config file
 * can be found without reading a zod issue dump; the issues stay reachable as `issues`.
 */
export class DataConfigError extends Error {
  constructor(
    message: string,
    readonly issues: z.ZodError['issues'] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DataConfigError';
  }
}

/** Renders zod issues as `path: message; path: message`, `(root)` for the value itself. */
export function formatZodIssues(issues: z.ZodError['issues']): string {
  return issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Parses `input` with `schema`, returning the output with defaults filled in.
 * @throws {@link DataConfigError} `Invalid <label>: <field>: <rule>` when parsing fails
 */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, label: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new DataConfigError(`Invalid ${label}: ${formatZodIssues(result.error.issues)}`, result.error.issues, {
      cause: result.error,
    });
  }
  return result.data;
}
