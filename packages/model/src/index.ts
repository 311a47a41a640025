/**
 * @lowdiff/model: LowDiff's unified multi-resolution networks (UNet, DiT) behind EDM
 * preconditioning, their FLOP counts, and safetensors checkpoints.
 */
export * from './browser';
export { readSafetensorsFile, writeSafetensorsFile } from './safetensors-file';
export { saveCheckpoint, loadCheckpoint } from './checkpoint-file';
