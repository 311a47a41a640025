#!/usr/bin/env node
// Each package's README shows its example as the file it ships (example.mjs), verbatim: this
// writes the file into the README's example block, or with --check fails (exit 1) naming every
// README whose block differs. The block is the fenced one whose first line starts "// example".
//
//   node tools/pack/readme-examples.mjs [--check]
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const check = process.argv.includes('--check');
const BLOCK = /```(?:ts|js|javascript|typescript)\n(\/\/ (?:packages\/[\w-]+\/)?example[\s\S]*?)```/;
const stale = [];
for (const name of readdirSync(join(root, 'packages'))) {
  const example = join(root, 'packages', name, 'example.mjs');
  const readme = join(root, 'packages', name, 'README.md');
  if (!existsSync(example) || !existsSync(readme)) continue;
  const text = readFileSync(readme, 'utf8');
  const code = readFileSync(example, 'utf8');
  const match = BLOCK.exec(text);
  if (!match) {
    stale.push(`${name}: README.md has no example block (a fenced block starting "// example")`);
    continue;
  }
  if (match[1] === code) continue;
  if (check) stale.push(`${name}: README.md's example differs from example.mjs (node tools/pack/readme-examples.mjs writes it)`);
  else writeFileSync(readme, text.replace(BLOCK, () => '```js\n' + code + '```'));
}
if (stale.length > 0) {
  console.error(stale.join('\n'));
  process.exit(1);
}
console.log(check ? 'every README example is its package\'s example.mjs' : 'README examples written');
