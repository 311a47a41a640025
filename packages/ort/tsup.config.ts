import { defineConfig } from 'tsup';
import { packageBuild } from '../../tools/config/tsup.base';

export default defineConfig(packageBuild());
