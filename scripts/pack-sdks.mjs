#!/usr/bin/env node
// `npm run pack:sdks`: builds the installable SDK packages into dist/sdks/:
//   proliferate-sdk-<version>.tgz              npm package @proliferate/sdk (ESM, CJS, types, browser bundles)
//   proliferate-<version>-py3-none-any.whl     Python wheel of `proliferate`
//   proliferate-<version>.tar.gz               Python sdist
// The SDKs are versioned with the server: every version this checks must equal the root
// package.json's, or nothing is packed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist/sdks');
const read = (path) => readFileSync(join(root, path), 'utf8');
const version = JSON.parse(read('package.json')).version;

/** Every place a version is written, with the version found there. */
export function versionsFound() {
  const json = (path) => JSON.parse(read(path)).version;
  return {
    'packages/server/package.json': json('packages/server/package.json'),
    'packages/protocol/package.json': json('packages/protocol/package.json'),
    'packages/sdk/package.json': json('packages/sdk/package.json'),
    'packages/dashboard/package.json': json('packages/dashboard/package.json'),
    'packages/sdk/src/core/envelope.ts (SDK_VERSION)': /SDK_VERSION = '([^']+)'/.exec(read('packages/sdk/src/core/envelope.ts'))?.[1],
    'sdks/python/pyproject.toml': /^version = "([^"]+)"/m.exec(read('sdks/python/pyproject.toml'))?.[1],
    'sdks/python/proliferate/version.py (VERSION)': /^VERSION = "([^"]+)"/m.exec(read('sdks/python/proliferate/version.py'))?.[1],
  };
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (result.status !== 0) {
    console.error(`pack:sdks: ${cmd} ${args.join(' ')} failed`);
    process.exit(1);
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const wrong = Object.entries(versionsFound()).filter(([, found]) => found !== version);
  if (wrong.length) {
    console.error(`pack:sdks: the SDKs are versioned with the server (${version}, from package.json), but:`);
    for (const [where, found] of wrong) console.error(`  ${where} says ${found}`);
    process.exit(1);
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  run(process.execPath, ['scripts/build.mjs']);
  run('npm', ['pack', '--silent', '--pack-destination', out, '-w', 'packages/sdk'], { stdio: ['ignore', 'ignore', 'inherit'] });

  // PEP 517 build in a throwaway virtual environment, so nothing is installed system-wide.
  const venv = join(out, '.build-venv');
  if (spawnSync('python3', ['-c', 'import venv, ensurepip'], { stdio: 'ignore' }).status !== 0) {
    console.error('pack:sdks: building the Python package needs Python 3 with venv (Debian/Ubuntu: apt-get install python3-venv)');
    process.exit(1);
  }
  run('python3', ['-m', 'venv', venv]);
  run(join(venv, 'bin/pip'), ['install', '-q', '--disable-pip-version-check', 'build>=1.2']);
  run(join(venv, 'bin/python'), ['-m', 'build', '--sdist', '--wheel', '--outdir', out, 'sdks/python'], { stdio: ['ignore', 'ignore', 'inherit'] });
  rmSync(venv, { recursive: true, force: true });
  // setuptools leaves its build tree and egg-info beside the sources.
  for (const leftover of ['sdks/python/build', 'sdks/python/proliferate.egg-info']) rmSync(join(root, leftover), { recursive: true, force: true });

  const built = readdirSync(out).sort();
  const expected = [`proliferate-${version}-py3-none-any.whl`, `proliferate-${version}.tar.gz`, `proliferate-sdk-${version}.tgz`];
  const missing = expected.filter((name) => !built.includes(name));
  if (missing.length || !existsSync(out)) {
    console.error(`pack:sdks: missing ${missing.join(', ')} in ${out}`);
    process.exit(1);
  }
  console.log(expected.map((name) => join(out, name)).join('\n'));
}
