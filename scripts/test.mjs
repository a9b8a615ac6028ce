#!/usr/bin/env node
// Runs every test: TypeScript tests with Node's test runner (through tsx), then the Python SDK's
// pytest suite. Prepares what the tests need when it is missing (the Python virtual environment) and
// stops with a clear message when a system package is missing (python3-venv, chromium). Exits
// non-zero if any part fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Stops before any test runs, so a missing system package is one clear message, not 40 failures. */
function requireSystem(ok, message) {
  if (ok) return;
  console.error(`npm test: ${message}`);
  process.exit(1);
}

const dirs = ['packages', 'tests', 'sdks'].map((d) => join(root, d)).filter(existsSync);
let files = dirs.flatMap((d) => findTests(d)).sort();
if (filter.length) files = files.filter((f) => filter.some((pattern) => f.includes(pattern)));

const python = join(root, '.venv/bin/python');
const pythonTests = join(root, 'sdks/python/tests');
const wantsPython = !filter.length && existsSync(pythonTests);
const browserTests = files.filter((f) => /browser/.test(f));
requireSystem(
  browserTests.length === 0 || existsSync(chromium),
  `the browser tests need Chromium at ${chromium} (Debian/Ubuntu: apt-get install chromium; elsewhere set CHROMIUM_PATH).`,
);
// Some end-to-end tests drive the official Python client from the same virtual environment.
const needsVenv = wantsPython || files.some((f) => readFileSync(f, 'utf8').includes('.venv/bin/python'));
if (needsVenv && !existsSync(python)) {
  const venvWorks = spawnSync('python3', ['-c', 'import venv, ensurepip'], { stdio: 'ignore' }).status === 0;
  requireSystem(
    venvWorks,
    'the Python SDK tests need Python 3 with its venv module (Debian/Ubuntu: apt-get install python3-venv).',
  );
  const requirements = readFileSync(join(root, 'scripts/python-test-requirements.txt'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim().split(/[<>=\s]/)[0])
    .filter(Boolean);
  console.error(
    `Preparing the Python test environment (once): creating ${join(root, '.venv')} and installing ${requirements.join(', ')}` +
      ' from PyPI, and the proliferate SDK from sdks/python (scripts/setup-python.sh).',
  );
  requireSystem(run('bash', ['scripts/setup-python.sh']) === 0, 'scripts/setup-python.sh failed (see above); the Python tests cannot run.');
}

let failed = 0;
// Lint rules only (biome.json); errors fail the run, warnings are left to `npm run lint`.
const biome = join(root, 'node_modules/@biomejs/biome/bin/biome');
if (!filter.length && run(process.execPath, [biome, 'lint', '--diagnostic-level=error', '.']) !== 0) {
  console.error('npm test: lint errors (above); `npm run lint` lists them with the warnings.');
  failed |= 1;
}
if (files.length) {
  failed |= run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files]);
}

if (wantsPython) {
  const status = run(python, ['-m', 'pytest', '-q', pythonTests]);
  if (status !== 0 && status !== 5) failed |= 1;
}
process.exit(failed ? 1 : 0);
