import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, readConfig } from '../src/config.js';
import { cliPath } from '../../../tests/helpers/server.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;

test('without any setting the server listens on 127.0.0.1:8000 with SQLite in ./.proliferate', () => {
  const config = readConfig({}, {});
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 8000);
  assert.equal(config.dataDir, resolve('.proliferate'));
  assert.equal(config.databaseUrl, null);
  assert.equal(config.publicUrl, undefined);
  assert.equal(config.trustProxy, false);
  assert.equal(config.logLevel, 'warn');
  assert.equal(config.smtpUrl, null);
  assert.equal(config.emailFrom, null);
  assert.equal(config.outboundAllowPrivate, false);
  assert.equal(config.oidc, null);
});

test('single sign-on settings are checked: https issuer (http only on localhost), client id and secret, a known default role', () => {
  const base = { PROLIFERATE_OIDC_ISSUER: 'http://sso.example.com', PROLIFERATE_OIDC_CLIENT_ID: 'c', PROLIFERATE_OIDC_CLIENT_SECRET: 's' };
  assert.throws(() => readConfig({}, base), /PROLIFERATE_OIDC_ISSUER must be an https:\/\/ URL/);
  assert.equal(readConfig({}, { ...base, PROLIFERATE_OIDC_ISSUER: 'http://127.0.0.1:9999' }).oidc?.allowInsecure, true);
  assert.equal(readConfig({}, { ...base, PROLIFERATE_OIDC_ISSUER: 'https://sso.example.com' }).oidc?.defaultRole, null);
  assert.throws(() => readConfig({}, { ...base, PROLIFERATE_OIDC_ISSUER: 'https://sso.example.com', PROLIFERATE_OIDC_CLIENT_SECRET: '' }), /PROLIFERATE_OIDC_CLIENT_SECRET must be set/);
  assert.throws(() => readConfig({}, { ...base, PROLIFERATE_OIDC_ISSUER: 'https://sso.example.com', PROLIFERATE_OIDC_DEFAULT_ROLE: 'owner' }), /PROLIFERATE_OIDC_DEFAULT_ROLE must be one of none, viewer, member, admin/);
  assert.throws(() => readConfig({}, { PROLIFERATE_OIDC_CLIENT_ID: 'c' }), /PROLIFERATE_OIDC_ISSUER is not/);
});

test('every PROLIFERATE_ variable is read, and a flag wins over its variable', () => {
  const env = {
    PROLIFERATE_HOST: '0.0.0.0',
    PROLIFERATE_PORT: '9000',
    PROLIFERATE_DATA_DIR: '/var/lib/proliferate',
    PROLIFERATE_DATABASE_URL: 'postgresql://app:secret@db.internal:5432/proliferate',
    PROLIFERATE_PUBLIC_URL: 'https://errors.example.com',
    PROLIFERATE_TRUST_PROXY: 'true',
    PROLIFERATE_LOG_LEVEL: 'info',
    PROLIFERATE_DASHBOARD_DIR: '/opt/dashboard',
    PROLIFERATE_SMTP_URL: 'smtps://mailer:pw@mail.example.com:465',
    PROLIFERATE_EMAIL_FROM: 'Proliferate <alerts@example.com>',
    PROLIFERATE_OUTBOUND_ALLOW_PRIVATE: '1',
    PROLIFERATE_OIDC_ISSUER: 'https://sso.example.com/realms/acme',
    PROLIFERATE_OIDC_CLIENT_ID: 'proliferate',
    PROLIFERATE_OIDC_CLIENT_SECRET: 'sso-secret',
    PROLIFERATE_OIDC_DEFAULT_ROLE: 'viewer',
    PROLIFERATE_OIDC_LABEL: 'Acme SSO',
    PROLIFERATE_MAX_BUNDLE_MB: '50',
    PROLIFERATE_MAX_ARTIFACTS_MB_PER_PROJECT: '512',
    PROLIFERATE_SOURCEMAP_CACHE_MB: '64',
    PROLIFERATE_SYMBOLICATION_BUDGET_MS: '500',
  };
  const config = readConfig({}, env);
  assert.deepEqual(
    { ...config, limits: undefined },
    {
      host: '0.0.0.0',
      port: 9000,
      dataDir: '/var/lib/proliferate',
      databaseUrl: 'postgresql://app:secret@db.internal:5432/proliferate',
      publicUrl: 'https://errors.example.com',
      trustProxy: true,
      logLevel: 'info',
      dashboardDir: '/opt/dashboard',
      smtpUrl: 'smtps://mailer:pw@mail.example.com:465',
      emailFrom: 'Proliferate <alerts@example.com>',
      outboundAllowPrivate: true,
      limits: undefined,
      artifacts: {
        chunkBytes: 8 * MiB,
        maxBundleBytes: 50 * MiB,
        maxUnpackedBytes: 200 * MiB,
        maxProjectBytes: 512 * MiB,
        mapCacheBytes: 64 * MiB,
        symbolicationBudgetMs: 500,
      },
      alertIntervalMs: 1000,
      oidc: {
        issuer: 'https://sso.example.com/realms/acme',
        clientId: 'proliferate',
        clientSecret: 'sso-secret',
        defaultRole: 'viewer',
        label: 'Acme SSO',
        allowInsecure: false,
      },
      quotas: { perMinute: 0, burst: 10, spikeProtection: false, spikeMultiplier: 10, spikeFloorPerMinute: 1000, maxInFlight: 128, maxLoopDelayMs: 40 },
      metrics: { token: null, public: false },
      retention: { defaultDays: 90, intervalMs: 3_600_000, batchSize: 500, pauseMs: 20 },
    },
  );
  const quotas = readConfig({}, { PROLIFERATE_RATE_LIMIT_PER_MINUTE: '600', PROLIFERATE_SPIKE_PROTECTION: 'on', PROLIFERATE_INGEST_QUEUE: '32' }).quotas;
  assert.deepEqual([quotas.perMinute, quotas.burst, quotas.spikeProtection, quotas.maxInFlight], [600, 60, true, 32]);
  assert.throws(() => readConfig({}, { PROLIFERATE_RATE_LIMIT_PER_MINUTE: '-1' }), /PROLIFERATE_RATE_LIMIT_PER_MINUTE must be a whole number/);
  assert.throws(() => readConfig({}, { PROLIFERATE_METRICS_TOKEN: 'short' }), /PROLIFERATE_METRICS_TOKEN must be at least 16/);
  assert.deepEqual(readConfig({}, { PROLIFERATE_RETENTION_DAYS: '30', PROLIFERATE_PURGE_BATCH: '100' }).retention, { defaultDays: 30, intervalMs: 3_600_000, batchSize: 100, pauseMs: 20 });
  assert.throws(() => readConfig({}, { PROLIFERATE_RETENTION_DAYS: '0' }), /PROLIFERATE_RETENTION_DAYS must be an integer from 1 to 3650/);
  assert.equal(readConfig({}, { PROLIFERATE_ALERT_INTERVAL_MS: '5000' }).alertIntervalMs, 5000);
  assert.equal(readConfig({}, { PROLIFERATE_MAX_BODY_MEMORY_MB: '64' }).limits.maxBodyMemoryBytes, 64 * 1024 * 1024);
  assert.equal(readConfig({}, { PROLIFERATE_SOURCEMAP_CACHE_MB: '32' }).artifacts.mapCacheBytes, 32 * 1024 * 1024);
  assert.throws(() => readConfig({}, { PROLIFERATE_MAX_BODY_MEMORY_MB: '0' }), /PROLIFERATE_MAX_BODY_MEMORY_MB/);
  const flagged = readConfig({ port: '0', host: '::1', 'database-url': 'postgres://localhost/other', 'data-dir': '/tmp/d' }, env);
  assert.equal(flagged.port, 0);
  assert.equal(flagged.host, '::1');
  assert.equal(flagged.databaseUrl, 'postgres://localhost/other');
  assert.equal(flagged.dataDir, '/tmp/d');
});

test('an empty variable counts as unset', () => {
  const config = readConfig({}, { PROLIFERATE_DATABASE_URL: '', PROLIFERATE_PORT: '', PROLIFERATE_SMTP_URL: '' });
  assert.equal(config.databaseUrl, null);
  assert.equal(config.port, 8000);
  assert.equal(config.smtpUrl, null);
});

test('each bad value is refused with a message that names the setting and what it takes', () => {
  const refuses = (env: Record<string, string>, pattern: RegExp, flags = {}) =>
    assert.throws(() => readConfig(flags, env), (error: Error) => error instanceof ConfigError && pattern.test(error.message));
  refuses({ PROLIFERATE_DATABASE_URL: 'mysql://root@localhost/db' }, /^PROLIFERATE_DATABASE_URL \(or --database-url\) must be a postgres:\/\/ or postgresql:\/\/ URL.*got a mysql:\/\/ URL/);
  refuses({}, /^--database-url must be a postgres/, { 'database-url': 'db.internal:5432' });
  refuses({ PROLIFERATE_PORT: '80a' }, /^PROLIFERATE_PORT \(or --port\) must be a port number from 0 to 65535 \(invalid port: "80a"\)/);
  refuses({ PROLIFERATE_PORT: '70000' }, /must be a port number/);
  refuses({ PROLIFERATE_PUBLIC_URL: 'errors.example.com' }, /^PROLIFERATE_PUBLIC_URL \(or --public-url\) must be an http:\/\/ or https:\/\/ URL/);
  refuses({ PROLIFERATE_TRUST_PROXY: 'maybe' }, /^PROLIFERATE_TRUST_PROXY must be true or false, got "maybe"/);
  refuses({ PROLIFERATE_OUTBOUND_ALLOW_PRIVATE: 'sure' }, /^PROLIFERATE_OUTBOUND_ALLOW_PRIVATE must be true or false/);
  refuses({ PROLIFERATE_LOG_LEVEL: 'loud' }, /^PROLIFERATE_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/);
  refuses({ PROLIFERATE_SMTP_URL: 'https://mail.example.com' }, /^PROLIFERATE_SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
  refuses({ PROLIFERATE_EMAIL_FROM: 'alerts at example' }, /^PROLIFERATE_EMAIL_FROM must be an email address/);
});

test('a database URL that is not a URL is refused without repeating it, since it may hold a password', () => {
  assert.throws(
    () => readConfig({}, { PROLIFERATE_DATABASE_URL: 'postgres://app:hunter2@[bad' }),
    (error: Error) => error instanceof ConfigError && !error.message.includes('hunter2') && /not a URL/.test(error.message),
  );
});

test('the CLI refuses a bad setting with exit code 2 and the message, before it opens anything', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'proliferate-config-'));
  try {
    const serve = (env: Record<string, string>, ...args: string[]) =>
      run(process.execPath, [cliPath, 'serve', '--port', '0', '--data-dir', dataDir, ...args], { env: { ...process.env, ...env } });
    await assert.rejects(serve({ PROLIFERATE_TRUST_PROXY: 'yes please' }), (error: { code: number; stderr: string }) =>
      error.code === 2 && /PROLIFERATE_TRUST_PROXY must be true or false/.test(error.stderr));
    await assert.rejects(serve({}, '--database-url', 'sqlite:///tmp/x'), (error: { code: number; stderr: string }) =>
      error.code === 2 && /--database-url must be a postgres:\/\/ or postgresql:\/\/ URL/.test(error.stderr));
    // A valid PostgreSQL URL where no server listens: said plainly (where, why), not a stack trace.
    await assert.rejects(serve({ PROLIFERATE_DATABASE_URL: 'postgres://app:secret@127.0.0.1:1/proliferate' }), (error: { code: number; stderr: string }) =>
      error.code === 1 && /PostgreSQL at 127\.0\.0\.1:1\/proliferate could not be opened/.test(error.stderr) && !error.stderr.includes('secret'));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
