import { defineConfig } from 'vitest/config';

// Tests import sibling packages from source (the "@lowdiff/source" export condition),
// so `npm test` never needs a prior build.
const conditions = ['@lowdiff/source', 'import', 'module', 'node', 'default'];

// The timeout is a backstop against hangs, not a speed check: tests do a bounded number of steps
// (no wall-clock assertions; long quality checks live in each package's bench/), and the slowest
// take ~10-15 s on 2 idle cores. `npm test` on a loaded 2-core CI (nx running several projects at
// once beside other work) can stretch that 5-10x, which must not fail the suite.
export function packageTests(timeoutMs = 300_000) {
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
