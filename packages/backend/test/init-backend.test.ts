import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendUnavailableError, initBackend, WASM_TRAINING_KERNELS } from '../src';

describe('initBackend', () => {
  afterEach(() => vi.restoreAllMocks());

  it('starts wasm with the training kernels registered', async () => {
    const info = await initBackend({ backend: 'wasm' });
    expect(info).toMatchObject({ backend: 'wasm', tfjsName: 'wasm' });
    expect(tf.getBackend()).toBe('wasm');
    for (const k of WASM_TRAINING_KERNELS) expect(tf.getKernel(k, 'wasm')).toBeDefined();
  });

  it('starts cpu without printing the "install tfjs-node" banner', async () => {
    const warn = vi.spyOn(console, 'warn');
    const log = vi.spyOn(console, 'log');
    const info = await initBackend({ backend: 'cpu' });
    tf.tensor([1, 2, 3]).dispose();
    expect(info.backend).toBe('cpu');
    const printed = [...warn.mock.calls, ...log.mock.calls].flat().join(' ');
    expect(printed).not.toMatch(/tfjs-node/);
  });

  it('auto falls through missing optional backends to wasm and says why', async () => {
    const info = await initBackend({ backend: 'auto' });
    expect(info.backend).toBe('wasm');
    expect(info.skipped.map((s) => s.backend)).toEqual(['tensorflow-gpu', 'tensorflow', 'webgpu']);
    expect(info.skipped[1].reason).toMatch(/@tensorflow\/tfjs-node is not installed/);
  });

  it('explains how to install tfjs-node when it is asked for and missing', async () => {
    const err = await initBackend({ backend: 'tensorflow' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/npm install @tensorflow\/tfjs-node@4\.22\.0/);
    expect((err as Error).message).toMatch(/TFJS_NODE_BASE_URI/);
    await expect(initBackend({ backend: 'tensorflow-gpu' })).rejects.toThrow(/tfjs-node-gpu/);
    await expect(initBackend({ backend: 'webgpu' })).rejects.toThrow(/webgpu/);
  });

  it('rejects an unknown backend name, naming the field', async () => {
    await expect(initBackend({ backend: 'cuda' as never })).rejects.toThrow(/backend/);
  });
});
