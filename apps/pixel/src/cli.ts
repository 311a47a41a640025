import { Command, CommanderError } from 'commander';
import { registerBench } from './commands/bench';
import { registerDemo } from './commands/demo';
import { registerEval } from './commands/eval';
import { registerExport } from './commands/export';
import { registerSample } from './commands/sample';
import { registerTrain } from './commands/train';
import { CliError } from '@lowdiff/cli-kit';

const program = new Command()
  .name('lowdiff-pixel')
  .description('LowDiff in pixel space: train a unified cascade model, sample it, evaluate and benchmark it')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();
registerTrain(program);
registerSample(program);
registerEval(program);
registerBench(program);
registerExport(program);
registerDemo(program);

// Started by bin/lowdiff-*.mjs: when the wrapper goes (even by kill -9), stop as on SIGTERM
// (a training run saves first) rather than run on as an orphan.
if (process.channel) {
  process.channel.unref();
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // --help and --version exit 0; every usage error (unknown flag, missing required flag) 2.
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  // Every error we expect (bad flags, missing files, corrupt checkpoints, diverged training)
  // carries a message made for the user; a stack trace only with LOWDIFF_DEBUG=1.
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`lowdiff-pixel: error: ${message}\n`);
  if (process.env.LOWDIFF_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exit(err instanceof CliError ? 2 : 1);
}
