#!/usr/bin/env node
// Creates the standard files of a new package: node tools/scaffold-package.mjs <name> <layer> [dir=packages]
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [name, layer, parent = 'packages'] = process.argv.slice(2);
if (!name || !layer) {
  console.error('usage: node tools/scaffold-package.mjs <name> <base|core|pipeline|app> [packages|apps]');
  process.exit(1);
}
const dir = join(parent, name);
const write = (file, text) => {
  const path = join(dir, file);
  if (existsSync(path)) return;
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
};
const pkg = {
  name: `@lowdiff/${name}`,
  version: '0.1.0',
  type: 'module',
  exports: {
    '.': { '@lowdiff/source': './src/index.ts', types: './dist/index.d.ts', import: './dist/index.js', require: './dist/index.cjs', default: './dist/index.js' },
  },
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.ts',
  files: ['dist', 'README.md', 'example.mjs'],
  scripts: {
    build: 'tsup',
    test: 'vitest run',
    typecheck: 'tsc -p tsconfig.json',
    lint: 'eslint .',
  },
  nx: { tags: [`layer:${layer}`, `scope:${name}`] },
  dependencies: {},
  // TensorFlow.js is the user's: a peer (and a dev dependency for the tests).
  peerDependencies: { '@tensorflow/tfjs': '^4.22.0' },
  devDependencies: { '@tensorflow/tfjs': '4.22.0' },
};
write('package.json', JSON.stringify(pkg, null, 2) + '\n');
write('tsconfig.json', JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', 'test', 'bench', '*.ts'] }, null, 2) + '\n');
write('tsup.config.ts', "import { defineConfig } from 'tsup';\nimport { packageBuild } from '../../tools/config/tsup.base';\n\nexport default defineConfig(packageBuild());\n");
write('vitest.config.ts', "import { packageTests } from '../../tools/config/vitest.base';\n\nexport default packageTests();\n");
write('src/index.ts', '');
write('example.mjs', `// example.mjs, shipped in the package: node node_modules/@lowdiff/${name}/example.mjs\n// (in the repository, after npm run build: node packages/${name}/example.mjs)\nimport * as ${name.replace(/-/g, '_')} from '@lowdiff/${name}';\n\nconsole.log(Object.keys(${name.replace(/-/g, '_')}));\n`);
write('README.md', `# @lowdiff/${name}\n\n## Example\n\n\`\`\`js\n// example.mjs (node tools/pack/readme-examples.mjs copies the file here)\n\`\`\`\n`);
console.log(`created ${dir}`);
