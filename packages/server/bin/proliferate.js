#!/usr/bin/env node
// The `proliferate` command. npm links bins during `npm install`, before the `prepare` build has
// made dist/, so the bin is this committed file rather than dist/cli/main.js. In a checkout it
// first compiles the server when dist/ is missing or older than a source file (tsc -b, incremental),
// then runs the built CLI; in an installed package (no src/) it runs the CLI directly.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(serverDir, 'dist/cli/main.js');

function newestSource(dir, newest = 0) {
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = newestSource(path, newest);
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isStale() {
  // tsc -b rewrites its build info on every build that changed something, and only then.
  const buildInfo = join(serverDir, 'tsconfig.tsbuildinfo');
  if (!existsSync(main) || !existsSync(buildInfo)) return true;
  const built = statSync(buildInfo).mtimeMs;
  return newestSource(join(serverDir, 'src')) > built || newestSource(join(serverDir, '../protocol/src')) > built;
}

if (existsSync(join(serverDir, 'src')) && isStale()) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  process.stderr.write('proliferate: compiling the server first (its sources are newer than dist/)...\n');
  const built = spawnSync(process.execPath, [tsc, '-b', join(serverDir, '../protocol'), serverDir], { stdio: ['ignore', 2, 2] });
  if (built.status !== 0) {
    process.stderr.write('proliferate: the build failed; fix the errors above or run "npm run build".\n');
    process.exit(1);
  }
}

await import(pathToFileURL(main).href);
