#!/usr/bin/env node
// Builds what is stale, and only that, so `npm start` with nothing changed starts in seconds.
//
// - protocol + server: `tsc -b`, which is incremental by itself (about 1 s when nothing changed).
// - SDK and dashboard: esbuild / Vite rebuild everything every time (10+ s on a shared 2-core
//   machine), so each step is skipped when a fingerprint of its inputs (every file's path and
//   content, plus the lock file) equals the one stored beside its outputs by its last successful
//   build. Content rather than modification times: a `git checkout` or a copy resets mtimes, and a
//   build interrupted half-way leaves no fingerprint, so neither can leave stale output looking fresh.
//
// `node scripts/build.mjs --force` rebuilds everything.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const force = process.argv.includes('--force');
const IGNORED = new Set(['node_modules', 'dist', 'test', '.vite']);

function filesUnder(path, found = []) {
  if (!existsSync(path)) return found;
  if (!statSync(path).isDirectory()) return found.push(path), found;
  for (const name of readdirSync(path).sort()) {
    if (IGNORED.has(name) || /\.test\.tsx?$/.test(name)) continue;
    filesUnder(join(path, name), found);
  }
  return found;
}

/** sha256 over the relative path and content of every input file. */
function fingerprint(inputs) {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap((input) => filesUnder(join(root, input)))) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const run = (cmd, args, cwd = root) => spawnSync(cmd, args, { stdio: 'inherit', cwd }).status ?? 1;
const tsc = require.resolve('typescript/bin/tsc');

/** Inputs shared by every step: the compiler settings and the installed dependency versions. */
const COMMON = ['tsconfig.base.json', 'package-lock.json', 'scripts/build.mjs'];

const steps = [
  {
    name: 'SDK',
    stamp: 'packages/sdk/dist/.build-fingerprint',
    inputs: ['packages/sdk/src', 'packages/sdk/build.mjs', 'packages/sdk/package.json', 'packages/sdk/tsconfig.json', 'packages/protocol/src'],
    build: () => run(process.execPath, ['build.mjs'], join(root, 'packages/sdk')),
  },
  {
    name: 'dashboard',
    stamp: 'packages/dashboard/dist/.build-fingerprint',
    inputs: [
      'packages/dashboard/src',
      'packages/dashboard/index.html',
      'packages/dashboard/vite.config.ts',
      'packages/dashboard/package.json',
      'packages/dashboard/tsconfig.json',
      // The dashboard imports the API's response types from the server's contract.
      'packages/server/src/api/contract',
    ],
    build: () => run('npm', ['run', 'build', '--silent', '-w', 'packages/dashboard']),
  },
];

if (run(process.execPath, [tsc, '-b', 'packages/protocol', 'packages/server']) !== 0) process.exit(1);

for (const step of steps) {
  const stampPath = join(root, step.stamp);
  const wanted = fingerprint([...COMMON, ...step.inputs]);
  const stored = existsSync(stampPath) ? readFileSync(stampPath, 'utf8').trim() : '';
  if (!force && stored === wanted) continue;
  console.error(`Building the ${step.name} (${stored ? 'its sources changed' : 'no build yet'})...`);
  if (step.build() !== 0) {
    console.error(`The ${step.name} build failed.`);
    process.exit(1);
  }
  writeFileSync(stampPath, wanted + '\n');
}
