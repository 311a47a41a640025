import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { writeFileAtomic } from '@lowdiff/backend';
import { decodeSafetensors, decodeSafetensorsHeader, encodeSafetensors, headerMetadata, SafetensorsError, type SafetensorsContents, type WritableTensor } from './safetensors';

/**
 * Reads and decodes a safetensors file. Only regular files are read: a FIFO, a device (e.g. a
 * symlink to /dev/zero) or a directory is refused before anything is read.
 */
export async function readSafetensorsFile(path: string): Promise<SafetensorsContents> {
  const bytes = await withRegularFile(path, (handle) => handle.readFile());
  return decodeSafetensors(bytes, path);
}

/**
 * The metadata of a safetensors file, reading its header only (what a checkpoint says about
 * itself, without reading its weights).
 */
export async function readSafetensorsMetadata(path: string): Promise<Record<string, string>> {
  const { header } = await withRegularFile(path, async (handle, size) => {
    const read = async (n: number) => {
      const buffer = new Uint8Array(Math.max(0, Math.min(n, size)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return buffer.subarray(0, bytesRead);
    };
    const first = await read(8);
    const claimed = first.length === 8 ? Number(new DataView(first.buffer).getBigUint64(0, true)) : 0;
    // A claim the file cannot hold is refused by the decoder from the first 8 bytes alone.
    return decodeSafetensorsHeader(8 + claimed <= size ? await read(8 + claimed) : first, path, size);
  });
  return headerMetadata(header, path);
}

/** Runs `read` on an opened regular file; errors name the file. */
async function withRegularFile<T>(path: string, read: (handle: FileHandle, size: number) => Promise<T>): Promise<T> {
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = await handle.stat();
    if (!info.isFile()) throw new SafetensorsError(`${path}: not a regular file (a ${kindOf(info)}); give a .safetensors file`);
    return await read(handle, info.size);
  } catch (err) {
    if (err instanceof SafetensorsError) throw err;
    const code = (err as { code?: string }).code;
    throw new SafetensorsError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${(err as Error).message})`);
  } finally {
    await handle?.close();
  }
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
