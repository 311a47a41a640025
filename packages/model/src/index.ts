/**
 * @lowdiff/model: LowDiff's unified multi-resolution networks (UNet, DiT) behind EDM
 * preconditioning, their FLOP counts, and safetensors checkpoints.
 */
export * from './browser';
export { readSafetensorsFile, readSafetensorsMetadata, writeSafetensorsFile } from './safetensors-file';
export { saveCheckpoint, loadCheckpoint, readTrainedFor } from './checkpoint-file';
