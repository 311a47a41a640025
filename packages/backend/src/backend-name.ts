import { z } from 'zod';

/** Backends `initBackend` can start; `auto` picks the fastest one that works here. */
export const BackendNameSchema = z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
export type BackendName = z.infer<typeof BackendNameSchema>;

/** A concrete backend (everything but `auto`). */
export type ConcreteBackend = Exclude<BackendName, 'auto'>;

/** Order `auto` tries, fastest first. */
export const AUTO_ORDER: readonly ConcreteBackend[] = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

export const InitBackendOptionsSchema = z
  .object({
    backend: BackendNameSchema.default('auto'),
    /** Folder (or URL prefix) holding the tfjs-backend-wasm `.wasm` files; defaults to the installed package. */
    wasmPaths: z.string().min(1).optional(),
  })
  .strict();
export type InitBackendOptions = z.input<typeof InitBackendOptionsSchema>;
