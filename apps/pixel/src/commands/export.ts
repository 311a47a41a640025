import type { Command } from 'commander';
import { addFlags, EXPORT_FLAGS, parseFlags, runExport } from '@lowdiff/cli-kit';

export function registerExport(program: Command): void {
  const command = program
    .command('export')
    .description('write the denoiser as ONNX graphs (opset 17, dynamic batch), one per stage, plus a JSON manifest, for ONNX Runtime or other tools')
    .addHelpText('after', '\nExample:\n  npx lowdiff-pixel export --checkpoint apps/pixel/checkpoints/fmnist-lowdiff.safetensors --out out/onnx/fmnist.onnx');
  const schema = addFlags(command, EXPORT_FLAGS);
  command.action(async (raw) => runExport(parseFlags(schema, raw)));
}
