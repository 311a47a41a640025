/**
 * Load times of the npm data sets (the numbers in README.md "Load times"): each first load
 * (read and parse the JSON class files) and a second load served from the per-process cache.
 * Timing lives here, not in the tests: a loaded machine makes any wall-clock bound flaky.
 *
 *   npm run bench -w @lowdiff/data            # table
 *   npm run bench -w @lowdiff/data -- --json  # JSON for scripts
 */
import { parseArgs } from 'node:util';
import { clearDatasetCache, loadFashionMnist, loadMnist } from '../src';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: load-bench [--json] [--runs 3]');
  process.exit(0);
}
const runs = Number(args.runs);
if (!(Number.isInteger(runs) && runs >= 1)) {
  console.error('--runs: must be an integer >= 1');
  process.exit(2);
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const rows: Record<string, number[]> = {
  'Fashion-MNIST, first load': [],
  'Fashion-MNIST, another split from the cache (60,000 images padded to 32x32)': [],
  'MNIST, first load': [],
  'MNIST, another split from the cache': [],
};
for (let r = 0; r < runs; r++) {
  clearDatasetCache();
  rows['Fashion-MNIST, first load'].push(await time(() => loadFashionMnist({ split: 'test', limit: 1 })));
  rows['Fashion-MNIST, another split from the cache (60,000 images padded to 32x32)'].push(await time(() => loadFashionMnist({ split: 'train' })));
  rows['MNIST, first load'].push(await time(() => loadMnist({ split: 'test', limit: 1 })));
  rows['MNIST, another split from the cache'].push(await time(() => loadMnist({ split: 'test', size: 28 })));
}
clearDatasetCache();

if (args.json) {
  console.log(JSON.stringify({ runs, ms: rows }, null, 2));
} else {
  console.log(`${runs} runs, one process`);
  console.log('| what | min ms | max ms |');
  console.log('|---|---|---|');
  for (const [what, ms] of Object.entries(rows)) console.log(`| ${what} | ${Math.min(...ms).toFixed(0)} | ${Math.max(...ms).toFixed(0)} |`);
}
