/**
 * Replay figures (issue 20): the replay entry's size (min+gzip) beside @sentry/browser's
 * replayIntegration, each counted as what it adds to the same small app bundled the same way, and
 * a check that the core bundle does not carry rrweb.
 */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const sdkDir = fileURLToPath(new URL('..', import.meta.url));

async function bundle(contents: string): Promise<{ gzip: number; code: string }> {
  const result = await build({
    stdin: { contents, resolveDir: sdkDir, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    write: false,
    legalComments: 'none',
    alias: { '@proliferate/protocol': '../protocol/src/index.ts' },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { gzip: gzipSync(code, { level: 9 }).byteLength, code: result.outputFiles[0]!.text };
}

const DSN = "'https://pk_abc@errors.example.com/1'";

export async function replaySizes() {
  const ourCore = await bundle(`import { init, captureException } from './src/browser/index.ts'; init({ dsn: ${DSN} }); window.sdk = { captureException };`);
  const ourWithReplay = await bundle(
    `import { init, captureException } from './src/browser/index.ts'; import { replayIntegration } from './src/replay/index.ts';
     init({ dsn: ${DSN}, integrations: [replayIntegration()] }); window.sdk = { captureException };`,
  );
  const sentryCore = await bundle(`import { init, captureException } from '@sentry/browser'; init({ dsn: ${DSN} }); window.sdk = { captureException };`);
  const sentryWithReplay = await bundle(
    `import { init, captureException, replayIntegration } from '@sentry/browser'; init({ dsn: ${DSN}, integrations: [replayIntegration()] }); window.sdk = { captureException };`,
  );
  return {
    replay_added_min_gzip_bytes: { proliferate: ourWithReplay.gzip - ourCore.gzip, sentry_browser: sentryWithReplay.gzip - sentryCore.gzip },
    app_with_replay_min_gzip_bytes: { proliferate: ourWithReplay.gzip, sentry_browser: sentryWithReplay.gzip },
    core_app_min_gzip_bytes: ourCore.gzip,
    /** The core bundle must not carry the recorder. */
    core_contains_rrweb: /rrweb|MutationBuffer|takeFullSnapshot/.test(ourCore.code),
  };
}
