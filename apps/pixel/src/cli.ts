import { Command } from 'commander';
import { PIXEL_SPACE, registerBenchCommand, registerEvalCommand, registerExportCommand, registerMergeCommand, registerSampleCommand, runCli, type SamplingApp } from '@lowdiff/cli-kit';
import { registerDemo } from './commands/demo';
import { registerTrain } from './commands/train';

// The sampling commands are @lowdiff/cli-kit's, shared with lowdiff-latent: this app is pixel
// space (the identity adapter) and its defaults.
const app: SamplingApp = {
  bin: 'lowdiff-pixel',
  space: PIXEL_SPACE,
  plan: 'lowdiff-3',
  plans: 'baseline-heun-18,lowdiff-3',
  sampleOut: 'out/sample',
  exampleCheckpoint: 'apps/pixel/checkpoints/fmnist-lowdiff.safetensors',
};
const program = new Command()
  .name(app.bin)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .description('LowDiff in pixel space: train a unified cascade model, sample it, evaluate and benchmark it');
registerTrain(program);
registerSampleCommand(program, app);
registerEvalCommand(program, app);
registerBenchCommand(program, app);
registerExportCommand(program, app);
registerMergeCommand(program, app);
registerDemo(program);
await runCli(program);
