#!/usr/bin/env node
// Runs the TypeScript CLI directly: workspace packages resolve to their sources through the
// "@lowdiff/source" export condition and tsx compiles on the fly, so no build step is needed.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const child = spawn(
  process.execPath,
  ['--conditions=@lowdiff/source', '--import', import.meta.resolve('tsx'), '--no-warnings', cli, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
// Ctrl-C reaches the child directly (same process group); it saves a checkpoint, then exits.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 1 : 1)));
