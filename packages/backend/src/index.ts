/**
 * @lowdiff/backend: start a TensorFlow.js backend that can train conv nets on a plain CPU,
 * and the one seeded random generator every package draws from.
 */
export * from './browser';
export { initBackend, type BackendInfo } from './init-backend';
export { writeFileAtomic } from './write-file-atomic';
export { ensureDir } from './ensure-dir';
