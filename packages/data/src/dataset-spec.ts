import { z } from 'zod';
import { loadCifar10 } from './cifar10';
import { loadFashionMnist } from './fashion-mnist';
import { loadImageFolder } from './image-folder';
import type { ImageDataset } from './image-dataset';
import type { LoadOptions } from './load-options';
import { loadMnist } from './mnist';
import { DataConfigError, parseConfig } from './parse-config';

const dir = z.string().min(1, 'must name a directory');

/** Which data set to load: the two npm data sets, or a directory of CIFAR-10 batches or images. */
export const DatasetSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fashion-mnist') }).strict(),
  z.object({ kind: z.literal('mnist') }).strict(),
  z.object({ kind: z.literal('cifar10'), dir }).strict(),
  z.object({ kind: z.literal('folder'), dir }).strict(),
]);
export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;

/** The kinds a spec string may start with. */
export const DATASET_KINDS = ['fashion-mnist', 'mnist', 'cifar10', 'folder'] as const;

/**
 * Parses a CLI-style spec, `fashion-mnist`, `mnist`, `cifar10:<dir>` or `folder:<dir>` (the
 * directory is everything after the first colon, so `folder:C:\images` works), or checks an
 * object form such as `{ kind: 'cifar10', dir: 'data/cifar' }`.
 * @throws {@link DataConfigError} naming the unknown kind or the missing directory
 */
export function parseDatasetSpec(input: string | DatasetSpec): DatasetSpec {
  if (typeof input !== 'string') return parseConfig(DatasetSpecSchema, input, 'dataset spec');
  const colon = input.indexOf(':');
  const kind = (colon < 0 ? input : input.slice(0, colon)).trim();
  const rest = colon < 0 ? undefined : input.slice(colon + 1);
  const usage = `expected one of fashion-mnist, mnist, cifar10:<dir>, folder:<dir>`;
  if (!(DATASET_KINDS as readonly string[]).includes(kind)) {
    throw new DataConfigError(`Invalid dataset spec '${input}': unknown kind '${kind}'; ${usage}`);
  }
  if (kind === 'cifar10' || kind === 'folder') {
    if (!rest) throw new DataConfigError(`Invalid dataset spec '${input}': ${kind} needs a directory: ${kind}:<dir>`);
    return { kind, dir: rest };
  }
  if (rest !== undefined) {
    throw new DataConfigError(`Invalid dataset spec '${input}': ${kind} takes no directory; ${usage}`);
  }
  return { kind: kind as 'fashion-mnist' | 'mnist' };
}

/** The string form of a spec; `parseDatasetSpec(formatDatasetSpec(s))` gives `s` back. */
export function formatDatasetSpec(spec: DatasetSpec): string {
  return 'dir' in spec ? `${spec.kind}:${spec.dir}` : spec.kind;
}

/** Loads the data set a spec names; see each loader for its split and defaults. */
export async function loadDataset(spec: string | DatasetSpec, options: LoadOptions = {}): Promise<ImageDataset> {
  const s = parseDatasetSpec(spec);
  switch (s.kind) {
    case 'fashion-mnist':
      return loadFashionMnist(options);
    case 'mnist':
      return loadMnist(options);
    case 'cifar10':
      return loadCifar10(s.dir, options);
    case 'folder':
      return loadImageFolder(s.dir, options);
  }
}
