import type { z } from 'zod';
import { formatZodIssues } from '@lowdiff/schedule';

/** Thrown for bad solver inputs (sigma lists, tensor shapes, missing noise source). */
export class SamplerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SamplerError';
  }
}

/**
 * Thrown for a bad cascade plan or run options. The message names every bad field by its path,
 * e.g. `Invalid CascadePlan: stages.1.resolution: must be > the previous stage's resolution (16)`.
 */
export class CascadePlanError extends Error {
  /** The zod issues, when the error came from schema validation. */
  readonly issues: z.ZodError['issues'];

  constructor(label: string, issues: z.ZodError['issues'] | string) {
    super(`Invalid ${label}: ${typeof issues === 'string' ? issues : formatZodIssues(issues)}`);
    this.name = 'CascadePlanError';
    this.issues = typeof issues === 'string' ? [] : issues;
  }
}
