/**
 * @lowdiff/cli-kit: what the LowDiff command-line apps share: flag validation, progress output,
 * plan presets, batched generation, scoring, the interleaved benchmark and PNG writing.
 */
export { CliError, parseFlags } from './cli-error';
export { Output, formatSeconds } from './output';
export { planPresets, planSweeps, resolvePlan, expandPlans, stagePreset, STAGE_PRESETS, withGuidanceScale } from './presets';
export { generate, concatGenerated, imagesPerSecond, toBytes, upscaleNearest, sizeOptions, type Generated, type GenerateOptions } from './generate';
export { referenceFeatures, score, scoreParts, generatedParts, scoredBatches, defaultExtractor, formatScores, type Reference, type Scores, type GeneratedParts, type ScoreOptions } from './evaluate';
export { ScoreModeSchema, DEFAULT_SCORE_MODE, scoredImages, scoredAsText, type ScoreMode } from './score-mode';
export { planFamily } from './plan-family';
export { renderFrontierPlot, writeFrontierPlot, PlotPathSchema, type FrontierPlot, type FrontierMarker, type FrontierPlotOptions } from './frontier-plot';
export { loadModelForSampling, classLabels } from './checkpoint-model';
export { checkPlanTraining } from './training-check';
export { runBench, benchEntries, benchTable, splitPlans, type BenchRow, type BenchOptions, type BenchEntry } from './bench-runner';
export { SamplingPool, type PoolModel } from './sampling-pool';
export type { SamplingTask } from './sampling-worker';
export { writeSamples, prepareOutDir } from './write-samples';
export { runTraining, stagesFromFlag, stopOnSignals } from './run-training';
export { addFlags, flagGroups, samplingFlags, type Flag, type FlagValues, type OptionTarget } from './flags';
export { openRuntime, runtimeLabel, RUNTIMES, type RuntimeName, type SamplingRuntime } from './runtime';
export { EXPORT_FLAGS, runExport, type ExportFlags } from './export-command';
export { lockRunFolder, withRunLock, type RunLock } from './run-lock';
export { PIXEL_SPACE, LATENT_SPACE, type SamplingSpace, type SpaceKind } from './sampling-space';
export { registerSampleCommand, registerEvalCommand, registerBenchCommand, registerExportCommand, registerMergeCommand, type SamplingApp } from './sampling-commands';
export { resolveShard, shardRange, shardFolder, type Shard } from './shard';
export { mergeShards, writeShard, fileSha256, SHARD_FORMAT, type ShardManifest } from './shard-files';
export { runCli } from './run-cli';
export { loadVae, vaePathFor, parseVaeSpec } from './load-vae';
export { pixelSpaceResampler, type ConditionSpace } from './pixel-space-resampler';
export { trainCommand, addTrainOptions, TrainFlagsSchema, type TrainFlags, type TrainingData } from './train-command';
export { cliRunner, lastJson, COMMAND_TIMEOUT_MS, MULTI_COMMAND_TEST_TIMEOUT_MS, type CliResult } from './cli-runner';
