import { Command } from 'commander';
import { LATENT_SPACE, registerBenchCommand, registerEvalCommand, registerExportCommand, registerMergeCommand, registerSampleCommand, runCli, type SamplingApp } from '@lowdiff/cli-kit';
import { registerEncode } from './commands/encode';
import { registerTrain } from './commands/train';
import { registerTrainVae } from './commands/train-vae';

// The sampling commands are @lowdiff/cli-kit's, shared with lowdiff-pixel: this app is a VAE's
// latent space (--vae kl:<file> | sd:<file>) and its defaults; plans are sized by the latents.
const app: SamplingApp = {
  bin: 'lowdiff-latent',
  space: LATENT_SPACE,
  plan: 'lowdiff-2',
  plans: 'baseline-heun-18,lowdiff-2',
  sampleOut: 'out/latent-sample',
  exampleCheckpoint: 'runs/ldit/train.safetensors',
};
const program = new Command()
  .name(app.bin)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .description('LowDiff in latent space: train a small VAE, cache latents, train the unified cascade model on them, sample, evaluate, benchmark');
registerTrainVae(program);
registerEncode(program);
registerTrain(program);
registerSampleCommand(program, app);
registerEvalCommand(program, app);
registerBenchCommand(program, app);
registerExportCommand(program, app);
registerMergeCommand(program, app);
await runCli(program);
