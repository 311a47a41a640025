import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { promisify } from 'node:util';

// For the apps' tests and scripts. Every CLI start compiles TypeScript with tsx and loads TensorFlow.js (1-8 s each on 2 idle
// cores), and the work per command in the apps' tests is a few steps on a few images. A loaded CI
// can make a start many times slower, so the limits are backstops against hangs, not speed
// checks: one command may take 5 min, a test that runs several 10 min.
export const COMMAND_TIMEOUT_MS = 300_000;
export const MULTI_COMMAND_TEST_TIMEOUT_MS = 600_000;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A runner for an app's bin: resolves with stdout, stderr and the exit code instead of throwing. */
export function cliRunner(bin: string): (...args: string[]) => Promise<CliResult> {
  const run = promisify(execFile);
  return async (...args) => {
    try {
      const { stdout, stderr } = await run(bin, args, { timeout: COMMAND_TIMEOUT_MS, maxBuffer: 1 << 24 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number | null; killed?: boolean; signal?: string | null; stdout: string; stderr: string };
      // Killed by the backstop (or a signal): say so, rather than fail on a confusing null code.
      if (e.code === null || e.code === undefined) {
        const why = `${e.signal ?? 'no exit code'}${e.killed ? `, after ${COMMAND_TIMEOUT_MS / 1000} s` : ''}`;
        return { code: -1, stdout: e.stdout ?? '', stderr: `${e.stderr ?? ''}\n[test] ${basename(bin)} ${args.join(' ')}: killed (${why})` };
      }
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
}

/** The last line of stdout as JSON (the commands' --json summary). */
export const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);
