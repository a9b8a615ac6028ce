#!/usr/bin/env node
// Runs every test: TypeScript tests with Node's test runner (through tsx), then the Python SDK's
// pytest suite when its virtual environment exists. Exits non-zero if any part fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const skip = new Set(['node_modules', 'dist', '.git', '.venv', '.proliferate', 'test-output']);

function findTests(dir, found = []) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, found);
    else if (/\.test\.(ts|mts|js|mjs)$/.test(name)) found.push(path);
  }
  return found;
}

const filter = process.argv.slice(2);
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts }).status ?? 1;

if (run('npm', ['run', 'build', '--silent']) !== 0) process.exit(1);

const dirs = ['packages', 'tests', 'sdks'].map((d) => join(root, d)).filter(existsSync);
let files = dirs.flatMap((d) => findTests(d)).sort();
if (filter.length) files = files.filter((f) => filter.some((pattern) => f.includes(pattern)));

let failed = 0;
if (files.length) {
  failed |= run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files]);
}

const python = join(root, '.venv/bin/python');
const pythonTests = join(root, 'sdks/python/tests');
if (!filter.length && existsSync(pythonTests)) {
  if (!existsSync(python)) {
    console.error('Python tests need the virtual environment: run scripts/setup-python.sh');
    failed |= 1;
  } else {
    const status = run(python, ['-m', 'pytest', '-q', pythonTests]);
    if (status !== 0 && status !== 5) failed |= 1;
  }
}
process.exit(failed ? 1 : 0);
