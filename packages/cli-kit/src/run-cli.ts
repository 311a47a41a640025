import type { Command } from 'commander';
import { CliError } from './cli-error';

/**
 * Runs a CLI program (made with `.exitOverride()` before its commands are added, so that they
 * inherit it) the way both apps do: exit 0 for --help, 2 for usage errors and every
 * `CliError` (bad flags, missing files, mismatched inputs: a message made for the user), 1 for
 * anything else; a stack trace only with LOWDIFF_DEBUG=1. Started by bin/lowdiff-*.mjs, the
 * process stops as on SIGTERM (a training run saves first) when the wrapper goes, even by kill -9.
 */
export async function runCli(program: Command, argv: readonly string[] = process.argv): Promise<void> {
  if (process.channel) {
    process.channel.unref();
    process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  }
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    // Commander's own exits (--help, usage errors); by shape: the app may load another copy of commander.
    const exit = err as { code?: unknown; exitCode?: unknown };
    if (typeof exit.code === 'string' && exit.code.startsWith('commander.') && typeof exit.exitCode === 'number') process.exit(exit.exitCode === 0 ? 0 : 2);
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${program.name()}: error: ${message}\n`);
    if (process.env.LOWDIFF_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exit(err instanceof CliError ? 2 : 1);
  }
}
