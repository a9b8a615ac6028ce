#!/usr/bin/env node
// Builds the SDK with esbuild: Node ESM + CJS, browser ESM, and a minified script-tag IIFE
// (global `Proliferate`), then type declarations with tsc. @proliferate/protocol is bundled from
// source, so the published package has no runtime dependencies.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const here = new URL('.', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const common = {
  bundle: true,
  absWorkingDir: here,
  alias: { '@proliferate/protocol': '../protocol/src/index.ts' },
  target: ['es2020'],
  legalComments: 'none',
  logLevel: 'warning',
};

rmSync(`${here}dist`, { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: ['src/node/index.ts'], outfile: 'dist/node/index.js', platform: 'node', format: 'esm', target: ['node20'] }),
  build({ ...common, entryPoints: ['src/node/index.ts'], outfile: 'dist/node/index.cjs', platform: 'node', format: 'cjs', target: ['node20'] }),
  build({ ...common, entryPoints: ['src/browser/index.ts'], outfile: 'dist/browser/index.js', platform: 'browser', format: 'esm' }),
  build({
    ...common,
    entryPoints: ['src/browser/index.ts'],
    outfile: 'dist/browser/proliferate.min.js',
    platform: 'browser',
    format: 'iife',
    globalName: 'Proliferate',
    minify: true,
    sourcemap: true,
  }),
  // Session replay: its own entry (rrweb bundled in), so the core bundles above do not grow.
  build({ ...common, entryPoints: ['src/replay/index.ts'], outfile: 'dist/replay/index.js', platform: 'browser', format: 'esm' }),
  build({
    ...common,
    entryPoints: ['src/replay/index.ts'],
    outfile: 'dist/replay/proliferate-replay.min.js',
    platform: 'browser',
    format: 'iife',
    globalName: 'ProliferateReplay',
    minify: true,
    sourcemap: true,
  }),
]);

const tsc = require.resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', `${here}tsconfig.json`], { stdio: 'inherit' });
process.exit(result.status ?? 1);
