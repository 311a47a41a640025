import { defineConfig } from 'tsup';
import { packageBuild } from '../../tools/config/tsup.base';

// The training pool's workers load their own entry file, so it is built next to index.js.
export default defineConfig(packageBuild({ entry: ['src/index.ts', 'src/training-worker.ts'] }));
