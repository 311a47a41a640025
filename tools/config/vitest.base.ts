import { defineConfig } from 'vitest/config';

// Tests import sibling packages from source (the "@lowdiff/source" export condition),
// so `npm test` never needs a prior build.
const conditions = ['@lowdiff/source', 'import', 'module', 'node', 'default'];

export function packageTests(timeoutMs = 120_000) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@lowdiff/source'] } },
    test: {
      include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
      environment: 'node',
      testTimeout: timeoutMs,
      hookTimeout: timeoutMs,
      pool: 'forks',
    },
  });
}
