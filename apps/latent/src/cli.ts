import { Command, CommanderError } from 'commander';
import { CliError } from '@lowdiff/cli-kit';
import { registerBench } from './commands/bench';
import { registerEncode } from './commands/encode';
import { registerEval } from './commands/eval';
import { registerExport } from './commands/export';
import { registerSample } from './commands/sample';
import { registerTrain } from './commands/train';
import { registerTrainVae } from './commands/train-vae';

const program = new Command()
  .name('lowdiff-latent')
  .description('LowDiff in latent space: train a small VAE, cache latents, train the unified cascade model on them, sample, evaluate, benchmark')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();
registerTrainVae(program);
registerEncode(program);
registerTrain(program);
registerSample(program);
registerEval(program);
registerBench(program);
registerExport(program);

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
  // Expected errors (bad flags, missing files, mismatched VAE and latents) carry a message made
  // for the user; a stack trace only with LOWDIFF_DEBUG=1.
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`lowdiff-latent: error: ${message}\n`);
  if (process.env.LOWDIFF_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exit(err instanceof CliError ? 2 : 1);
}
