/**
 * A data set could not be read: a missing directory or file, a file of the wrong size, a corrupt
 * image, a label out of range. `path` names the file or directory at fault, so a user can go and
 * look at it.
 */
export class DatasetError extends Error {
  constructor(
    message: string,
    /** The file or directory at fault. */
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DatasetError';
  }
}
