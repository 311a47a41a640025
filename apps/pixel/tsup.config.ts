import { defineConfig } from 'tsup';
import { packageBuild } from '../../tools/config/tsup.base';

// The CLI as plain JavaScript, importing the workspace packages' builds: bin/ runs it when it is
// newer than every source file, so a start costs no TypeScript compilation.
export default defineConfig(packageBuild({ entry: ['src/cli.ts'], dts: false, format: ['esm'] }));
