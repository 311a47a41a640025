import { z } from 'zod';
import { BackendNameSchema } from '@lowdiff/backend';
import { RUNTIMES } from './runtime';
import { DEFAULT_SCORE_MODE, ScoreModeSchema } from './score-mode';

/**
 * A command-line flag declared once: commander's syntax, help and default, and the zod schema
 * that validates what commander hands over. The default lives only here, as the string a user
 * would type, so `--help` shows the value that zod then parses.
 */
export interface Flag<S extends z.ZodType = z.ZodType> {
  syntax: string;
  help: string;
  schema: S;
  default?: string | boolean;
  required?: boolean;
}

/** What {@link addFlags} needs of a commander `Command` (kept structural: no commander dependency here). */
export interface OptionTarget {
  option(syntax: string, help: string, defaultValue?: string | boolean): unknown;
  requiredOption(syntax: string, help: string): unknown;
}

type Shape<T extends Record<string, Flag>> = { [K in keyof T]: T[K]['schema'] };

/** The parsed values of a flag table. */
export type FlagValues<T extends Record<string, Flag>> = z.output<z.ZodObject<Shape<T>, z.core.$strict>>;

/**
 * Registers a flag table on a command, in its key order, and returns the strict zod schema for
 * `parseFlags`. Keys must be commander's camel-case names (`--batch-size` -> `batchSize`,
 * `--no-images` -> `images`).
 */
export function addFlags<T extends Record<string, Flag>>(command: OptionTarget, flags: T): z.ZodObject<Shape<T>, z.core.$strict> {
  for (const f of Object.values(flags)) {
    if (f.required) command.requiredOption(f.syntax, `${f.help} (required)`);
    else if (f.default !== undefined) command.option(f.syntax, f.help, f.default);
    else command.option(f.syntax, f.help);
  }
  const shape = Object.fromEntries(Object.entries(flags).map(([k, f]) => [k, f.schema])) as Shape<T>;
  return z.strictObject(shape);
}

const flag = <S extends z.ZodType>(syntax: string, help: string, schema: S, extra: Pick<Flag, 'default' | 'required'> = {}): Flag<S> => ({
  syntax,
  help,
  schema,
  ...extra,
});

const DataSchema = z.enum(['fashion-mnist', 'mnist']);
const ExtractorSchema = z.enum(['classifier-fmnist', 'classifier-mnist']);

/**
 * The flags the sampling commands (sample, eval, bench, demo) of both apps share. Each is a
 * function of what differs between commands: the default and, where it reads better, the help.
 */
export const samplingFlags = {
  checkpoint: (help: string) => flag('--checkpoint <file>', help, z.string().min(1), { required: true }),
  plan: (defaultPlan: string, help: string) => flag('--plan <name|file|json>', help, z.string().min(1), { default: defaultPlan }),
  plans: (
    defaultPlans: string,
    help = 'comma-separated plans (presets, files, inline JSON), sweeps (frontier: every full-resolution baseline, lowdiff-3, lowdiff-3-sdedit) and globs over preset names (baseline-*), each plan once; the first is the baseline for the speed-up',
  ) =>
    flag('--plans <list>', help, z.string().min(1), { default: defaultPlans }),
  count: (defaultCount: number, help: string, min = 1) =>
    flag('--count <n>', help, z.coerce.number().int().min(min).max(100_000), { default: String(defaultCount) }),
  rounds: () => flag('--rounds <n>', 'interleave the plans over this many rounds (machine noise hits all alike)', z.coerce.number().int().min(1), { default: '4' }),
  seed: (help = 'image i depends only on (seed, i)') => flag('--seed <n>', help, z.coerce.number().int(), { default: '0' }),
  class: (defaultClass?: string) =>
    flag('--class <k|name|all>', "class label, class name, or 'all' (cycles through the classes)", defaultClass ? z.string() : z.string().optional(), {
      default: defaultClass,
    }),
  guidance: (help = 'classifier-free guidance scale for every stage (1: none)') => flag('--guidance <scale>', help, z.coerce.number().min(0).optional()),
  data: () => flag('--data <name>', 'reference data set (its test split): fashion-mnist | mnist', DataSchema, { default: 'fashion-mnist' }),
  extractor: () => flag('--extractor <name>', 'classifier-fmnist | classifier-mnist (default: the one for --data)', ExtractorSchema.optional()),
  batchSize: () => flag('--batch-size <n>', 'images per batch (speed only; the images do not change)', z.coerce.number().int().min(1), { default: '64' }),
  workers: () =>
    flag('--workers <n>', 'tfjs runtime: sample in this many worker threads (wasm uses one core each; the images stay the same)', z.coerce.number().int().min(1).max(64), {
      default: '1',
    }),
  metrics: () => flag('--no-metrics', 'speed only', z.boolean(), { default: true }),
  score: () =>
    flag(
      '--score <mode>',
      "what the metrics score: png (the images as saved: clipped to [-1, 1] and rounded to 8 bits, as EDM's fid.py scores its PNGs) | raw (the sampler's floats, as scores measured before this flag did); low-res PSNR is on floats either way",
      ScoreModeSchema,
      { default: DEFAULT_SCORE_MODE },
    ),
  out: (defaultDir: string, help = 'output folder') => flag('--out <dir>', help, z.string().min(1), { default: defaultDir }),
  images: () => flag('--no-images', 'skip the per-image PNGs', z.boolean(), { default: true }),
  vae: () => flag('--vae <spec>', 'the VAE that decodes: kl:<file> (train-vae; a bare path too) or sd:<file> (SD AutoencoderKL); default: the one recorded in the checkpoint', z.string().optional()),
  runtime: () =>
    flag('--runtime <name>', 'auto | ort (ONNX Runtime, every core) | tfjs (the --backend); auto is ort where onnxruntime-node loads', z.enum(['auto', ...RUNTIMES]), {
      default: 'auto',
    }),
  runtimes: () =>
    flag(
      '--runtime <list>',
      'auto | ort | tfjs, or several comma-separated (ort,tfjs) to compare runtimes in one interleaved run',
      z
        .string()
        .transform((s) => s.split(',').map((r) => r.trim()))
        .pipe(z.array(z.enum(['auto', ...RUNTIMES])).min(1)),
      { default: 'auto' },
    ),
  threads: () => flag('--threads <n>', 'ONNX Runtime intra-op threads (default: every core)', z.coerce.number().int().min(1).max(256).optional()),
  backend: () => flag('--backend <name>', 'auto | wasm | cpu | tensorflow | tensorflow-gpu | webgpu', BackendNameSchema, { default: 'auto' }),
  json: (help: string) => flag('--json', help, z.boolean().default(false)),
};

/** Flag groups that several commands share whole (spread them into a table). */
export const flagGroups = {
  /** How a bench samples and scores its plans. */
  bench: () => ({
    count: samplingFlags.count(500, 'samples per plan', 2),
    rounds: samplingFlags.rounds(),
    seed: samplingFlags.seed('sampling seed (every plan gets the same seeds and classes)'),
    guidance: samplingFlags.guidance('classifier-free guidance scale for every stage of every plan'),
    data: samplingFlags.data(),
    extractor: samplingFlags.extractor(),
    score: samplingFlags.score(),
    batchSize: samplingFlags.batchSize(),
  }),
  /** How eval samples one plan and what it scores against. */
  eval: () => ({
    count: samplingFlags.count(1000, 'samples to generate and score (at least 4: precision/recall compares k = 3 neighbours)', 4),
    seed: samplingFlags.seed('sampling seed'),
    class: samplingFlags.class('all'),
    guidance: samplingFlags.guidance(),
    data: samplingFlags.data(),
    extractor: samplingFlags.extractor(),
    score: samplingFlags.score(),
    batchSize: samplingFlags.batchSize(),
  }),
};
