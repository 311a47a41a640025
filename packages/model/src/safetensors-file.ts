import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { writeFileAtomic } from '@lowdiff/backend';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, type SafetensorsContents, type WritableTensor } from './safetensors';

/**
 * Reads and decodes a safetensors file. Only regular files are read: a FIFO, a device (e.g. a
 * symlink to /dev/zero) or a directory is refused before anything is read.
 */
export async function readSafetensorsFile(path: string): Promise<SafetensorsContents> {
  let bytes: Uint8Array;
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = await handle.stat();
    if (!info.isFile()) throw new SafetensorsError(`${path}: not a regular file (a ${kindOf(info)}); give a .safetensors file`);
    bytes = await handle.readFile();
  } catch (err) {
    if (err instanceof SafetensorsError) throw err;
    const code = (err as { code?: string }).code;
    throw new SafetensorsError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${(err as Error).message})`);
  } finally {
    await handle?.close();
  }
  return decodeSafetensors(bytes, path);
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'directory';
  if (info.isFIFO()) return 'FIFO';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'device';
  if (info.isSocket()) return 'socket';
  return 'special file';
}

export async function writeSafetensorsFile(
  path: string,
  tensors: Map<string, WritableTensor> | Record<string, WritableTensor>,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
