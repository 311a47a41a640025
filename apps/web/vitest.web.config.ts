import { defineConfig } from 'vitest/config';

// The browser test (npm run test:web): builds the page, serves it, drives Debian's Chromium.
// Not part of `npm test`; CI runs it after (see .ci/run).
export default defineConfig({
  resolve: { conditions: ['@lowdiff/source', 'import', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: ['@lowdiff/source', 'import', 'module', 'node', 'default'], externalConditions: ['@lowdiff/source'] } },
  test: {
    include: ['test/**/*.e2e.test.ts'],
    environment: 'node',
    // Backstops against hangs only: a loaded 2-core CI may take minutes to build and sample.
    testTimeout: 900_000,
    hookTimeout: 900_000,
    pool: 'forks',
  },
});
