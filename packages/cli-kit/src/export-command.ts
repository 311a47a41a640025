import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { initBackend, writeFileAtomic } from '@lowdiff/backend';
import { DENOISER_VECTOR_INPUTS, exportOnnx, ONNX_OPSET } from '@lowdiff/model';
import { loadModelForSampling } from './checkpoint-model';
import { CliError } from './cli-error';
import { samplingFlags, type FlagValues } from './flags';
import { Output } from './output';

const F = samplingFlags;
/** How to feed each per-sample input of a graph, for the manifest (typed: one per input). */
const VECTOR_FORMULAS: Record<(typeof DENOISER_VECTOR_INPUTS)[number], string> = {
  cIn: '1 / sqrt(sigma^2 + sigma_data^2)',
  cSkip: 'sigma_data^2 / (sigma^2 + sigma_data^2)',
  cOut: 'sigma * sigma_data / sqrt(sigma^2 + sigma_data^2)',
  cNoise: 'ln(sigma) / 4',
  cAug: 'ln(max(sigma_aug, 0.002)) / 4',
  condScale: '1 / sqrt(sigma_data^2 + sigma_aug^2)',
  hasCondition: '1 for a refinement stage with a condition image, else 0 (condition: zeros)',
};

/** The flags of `export`, for the apps to register. */
export const EXPORT_FLAGS = {
  checkpoint: F.checkpoint('a .safetensors checkpoint (EMA weights are used when present)'),
  out: { syntax: '--out <file.onnx>', help: 'where the graph goes; without --resolution, one file per stage: <name>.r<res>.onnx and <name>.json', schema: z.string().regex(/\.onnx$/, 'must end in .onnx'), required: true },
  resolution: { syntax: '--resolution <r>', help: 'export only this stage resolution, to --out exactly', schema: z.coerce.number().int().min(1).optional() },
  json: F.json('print what was written as JSON on stdout'),
};

/** The parsed flags of `export`. */
export type ExportFlags = FlagValues<typeof EXPORT_FLAGS>;

/**
 * `export`: the checkpoint's denoiser as ONNX graphs (opset 17, dynamic batch), one per stage
 * resolution, with a JSON manifest saying how to feed them.
 */
export async function runExport(flags: ExportFlags): Promise<void> {
  const out = new Output(flags.json);
  await initBackend({ backend: 'auto' });
  const { model } = await loadModelForSampling(flags.checkpoint);
  try {
    if (flags.resolution !== undefined && !model.resolutions.includes(flags.resolution))
      throw new CliError(`--resolution: ${flags.resolution} is not a stage of this model (${model.resolutions.join(', ')})`);
    const stem = join(dirname(flags.out), basename(flags.out, '.onnx'));
    const stages = flags.resolution !== undefined ? [flags.resolution] : model.resolutions;
    const written = [];
    for (const r of stages) {
      const stage = exportOnnx(model, r);
      const file = flags.resolution !== undefined ? flags.out : `${stem}.r${r}.onnx`;
      await writeFileAtomic(file, stage.bytes);
      // Relative to the manifest, which sits beside the graphs: the folder can move as a whole.
      written.push({ resolution: r, file: basename(file), bytes: stage.bytes.length, inputs: stage.inputs, output: stage.output });
      out.info(`stage ${r}x${r}: ${file} (${(stage.bytes.length / 1024).toFixed(0)} KiB)`);
    }
    const manifest = {
      format: 'lowdiff-onnx/1',
      opset: ONNX_OPSET,
      checkpoint: flags.checkpoint,
      config: model.config,
      // What the weights were trained for (stages, sigma ranges, condition noise and upsampling),
      // so that whoever samples the graphs can check a plan as the CLIs do; null when unknown.
      trainedFor: model.trainedFor,
      stages: written,
      // How to feed a graph: the per-sample vectors are functions of sigma and sigma_aug.
      vectors: VECTOR_FORMULAS,
    };
    if (flags.resolution === undefined) {
      await writeFileAtomic(`${stem}.json`, new TextEncoder().encode(JSON.stringify(manifest, null, 2) + '\n'));
      out.info(`manifest: ${stem}.json`);
    }
    out.result(manifest);
  } finally {
    model.dispose();
  }
}
