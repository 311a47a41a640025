import type { ConcreteBackend } from './backend-name';

/** A backend could not start; `message` says why and how to fix it. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: ConcreteBackend,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}
