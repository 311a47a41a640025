import { defineConfig } from 'tsup';
import { packageBuild } from '../../tools/config/tsup.base';

// Two entries: Node's (index) and the browser's (browser: no file system, see src/browser.ts).
export default defineConfig(packageBuild({ entry: ['src/index.ts', 'src/browser.ts'] }));
