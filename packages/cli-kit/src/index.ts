/**
 * @lowdiff/cli-kit: what the LowDiff command-line apps share: flag validation, progress output,
 * plan presets, batched generation, scoring, the interleaved benchmark and PNG writing.
 */
export { CliError, parseFlags } from './cli-error';
export { Output, formatSeconds } from './output';
export { planPresets, resolvePlan, stagePreset, STAGE_PRESETS, withGuidanceScale } from './presets';
export { generate, concatGenerated, imagesPerSecond, toBytes, upscaleNearest, sizeOptions, type Generated, type GenerateOptions } from './generate';
export { referenceFeatures, score, defaultExtractor, formatScores, type Reference, type Scores } from './evaluate';
export { loadModelForSampling, classLabels } from './checkpoint-model';
export { runBench, benchEntries, benchTable, splitPlans, type BenchRow, type BenchOptions, type BenchEntry } from './bench-runner';
export { SamplingPool, type PoolModel } from './sampling-pool';
export type { SamplingTask } from './sampling-worker';
export { writeSamples, prepareOutDir } from './write-samples';
export { runTraining, stagesFromFlag, stopOnSignals } from './run-training';
export { addFlags, flagGroups, samplingFlags, type Flag, type FlagValues, type OptionTarget } from './flags';
export { openRuntime, runtimeLabel, RUNTIMES, type RuntimeName, type SamplingRuntime } from './runtime';
export { EXPORT_FLAGS, runExport, type ExportFlags } from './export-command';
export { lockRunFolder, withRunLock, type RunLock } from './run-lock';
