#!/usr/bin/env node
// Each package's README shows its examples as the files it ships (example.mjs, example-<name>.mjs),
// verbatim: this writes each file into its README block, or with --check fails (exit 1) naming
// every README whose block differs. A file's block is the fenced one whose first line starts
// "// <file name without .mjs>" followed by "." or "," or a space.
//
//   node tools/pack/readme-examples.mjs [--check]
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const check = process.argv.includes('--check');
const blockFor = (stem) => new RegExp('```(?:ts|js|javascript|typescript)\\n(// (?:packages/[\\w-]+/)?' + stem + '[., ][\\s\\S]*?)```');
const stale = [];
for (const name of readdirSync(join(root, 'packages'))) {
  const readme = join(root, 'packages', name, 'README.md');
  if (!existsSync(readme)) continue;
  for (const file of readdirSync(join(root, 'packages', name)).filter((f) => /^example(-[\w-]+)?\.mjs$/.test(f))) {
    const text = readFileSync(readme, 'utf8');
    const code = readFileSync(join(root, 'packages', name, file), 'utf8');
    const block = blockFor(file.replace(/\.mjs$/, ''));
    const match = block.exec(text);
    if (!match) {
      stale.push(`${name}: README.md has no block for ${file} (a fenced block starting "// ${file}")`);
      continue;
    }
    if (match[1] === code) continue;
    if (check) stale.push(`${name}: README.md's block differs from ${file} (node tools/pack/readme-examples.mjs writes it)`);
    else writeFileSync(readme, text.replace(block, () => '```js\n' + code + '```'));
  }
}
if (stale.length > 0) {
  console.error(stale.join('\n'));
  process.exit(1);
}
console.log(check ? 'every README example is its package\'s example.mjs' : 'README examples written');
