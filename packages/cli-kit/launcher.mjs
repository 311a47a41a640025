// Starts an app's CLI from its bin/ script: the built dist/cli.js when it is newer than every
// TypeScript source of the repository (npm ci builds it; a start then compiles nothing), else the
// sources through tsx, with workspace packages resolved to their sources by the "@lowdiff/source"
// export condition.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether `built` is at least as new as every source it was made from. */
function newer(built, ...sourceDirs) {
  return existsSync(built) && statSync(built).mtimeMs >= Math.max(...sourceDirs.map(newestSource));
}

/** Runs the CLI of the app whose bin/ script is `binUrl` (its import.meta.url), with process.argv. */
export function launch(binUrl) {
  const app = dirname(dirname(fileURLToPath(binUrl)));
  const built = join(app, 'dist', 'cli.js');
  // The built CLI imports the packages' builds: each must be fresh too.
  const packages = join(app, '..', '..', 'packages');
  const packageDirs = existsSync(packages) ? readdirSync(packages).map((p) => join(packages, p)).filter((d) => existsSync(join(d, 'src'))) : [];
  const fresh = newer(built, join(app, 'src')) && packageDirs.every((d) => newer(join(d, 'dist', 'index.js'), join(d, 'src')));
  const args = fresh ? [built] : ['--conditions=@lowdiff/source', '--import', import.meta.resolve('tsx'), '--no-warnings', join(app, 'src', 'cli.ts')];
  // The child gets its own process group, so a terminal's Ctrl-C reaches it once, through the
  // forwarding below, whether the signal went to this process or to its whole group; and an IPC
  // channel, whose 'disconnect' tells the child this wrapper is gone (even after kill -9), so it
  // saves and stops instead of running on as an orphan.
  const child = spawn(process.execPath, [...args, ...process.argv.slice(2)], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], detached: true });
  child.on('error', (err) => {
    process.stderr.write(`${basename(app)}: cannot start the CLI (${err.message})\n`);
    process.exit(1);
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  // Started through `npx`, a signal to npx kills the shell between it and us without passing it
  // on: being reparented means whoever started us is gone, so stop the child as on SIGTERM.
  const parent = process.ppid;
  const orphaned = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(orphaned);
    child.kill('SIGTERM');
  }, 250);
  orphaned.unref();
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
}
