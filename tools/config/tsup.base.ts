import type { Options } from 'tsup';

/** One build shape for every package: ESM + bundled .d.ts, Node 20, deps left external. */
export function packageBuild(overrides: Partial<Options> = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    ...overrides,
  };
}
