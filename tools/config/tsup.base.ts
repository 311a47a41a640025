import type { Options } from 'tsup';

/**
 * One build shape for every package: ESM and CommonJS (`require` works too), bundled .d.ts for
 * both, Node 20, deps left external. `shims` gives the CommonJS build `import.meta.url`.
 */
export function packageBuild(overrides: Partial<Options> = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    shims: true,
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    ...overrides,
  };
}
