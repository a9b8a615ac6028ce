/**
 * The server's configuration, read in one place: every PROLIFERATE_* environment variable and the
 * matching command-line flags (a flag wins over its variable). Nothing else reads process.env; the
 * composition root (server.ts, app.ts) takes its settings from the ServerConfig built here.
 */
import { resolve } from 'node:path';
import { readMetrics, readQuotas, readRetention, type MetricsConfig, type QuotaConfig, type RetentionConfig } from './config-operations.js';
export { DEFAULT_RETENTION, type MetricsConfig, type QuotaConfig, type RetentionConfig } from './config-operations.js';

export interface ServerConfig extends StoreConfig {
  host: string;
  port: number;
  /** Base URL that DSNs point at; defaults to http://{host}:{port}. */
  publicUrl?: string;
  /** Take the client address from X-Forwarded-For (behind a proxy). */
  trustProxy: boolean;
  logLevel: LogLevel;
  /** Folder of the built dashboard; undefined means packages/dashboard/dist. */
  dashboardDir?: string;
  /** Outbound mail (smtp:// or smtps://), for features that send mail; null when not set up. */
  smtpUrl: string | null;
  /** The From address of outbound mail; null when not set. */
  emailFrom: string | null;
  /** Whether outbound requests (webhooks, ...) may reach private and loopback addresses. */
  outboundAllowPrivate: boolean;
  limits: IngestLimits;
  /** Source-map upload and symbolication bounds; read from the environment when not given. */
  artifacts: ArtifactLimits;
  /** PROLIFERATE_ALERT_INTERVAL_MS: how often alert rules are evaluated and the outbox drained. */
  alertIntervalMs: number;
  /** Single sign-on with OpenID Connect; null when PROLIFERATE_OIDC_ISSUER is not set. */
  oidc: OidcConfig | null;
  /** Rate limits, spike protection and overload shedding (docs/operations.md). */
  quotas: QuotaConfig;
  /** Who may read /metrics (docs/operations.md). */
  metrics: MetricsConfig;
  /** How long data is kept and how the background purge paces itself (docs/operations.md#retention). */
  retention: RetentionConfig;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The role a first-time SSO user gets; null refuses people who have no account yet. */
  defaultRole: 'admin' | 'member' | 'viewer' | null;
  /** The sign-in button's text. */
  label: string;
  /** Plain http to the provider, allowed only for a provider on this machine (tests, local set-ups). */
  allowInsecure: boolean;
}

/** Where the data lives: what openStore (store/open-store.ts) needs to pick and open a backend. */
export interface StoreConfig {
  /** SQLite's folder (and the place for local files whatever the backend). */
  dataDir: string;
  /** A postgres:// or postgresql:// URL selects PostgreSQL; null keeps SQLite in dataDir. */
  databaseUrl: string | null;
}

export interface IngestLimits {
  /** Bytes on the wire, before decompression. */
  maxCompressedBytes: number;
  /** Bytes after decompression; a bomb is stopped as soon as it passes this. */
  maxDecompressedBytes: number;
  /** One event item (Sentry's own limit is 1 MB). */
  maxEventBytes: number;
  /**
   * Bytes of request bodies (after decompression) held in memory at once across all requests;
   * past it a body is refused with 503 + Retry-After (ingest/body-budget.ts).
   */
  maxBodyMemoryBytes: number;
  /** One replay_recording item as sent (Sentry's own limit is 10 MiB). */
  maxSegmentBytes: number;
  /** One replay segment's rrweb JSON after decompression. */
  maxSegmentUncompressedBytes: number;
  /** Compressed bytes stored for one replay, all segments together. */
  maxReplayBytes: number;
  /** Segments of one replay (an hour of recording is ~720 at the SDKs' 5 s flushes). */
  maxSegments: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_PORT = 8000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_LIMITS: IngestLimits = {
  maxCompressedBytes: 20 * 1024 * 1024,
  maxDecompressedBytes: 100 * 1024 * 1024,
  maxEventBytes: 1024 * 1024,
  // Two bodies at the decompressed limit at once, or thousands of ordinary envelopes.
  maxBodyMemoryBytes: 256 * 1024 * 1024,
  maxSegmentBytes: 10 * 1024 * 1024,
  maxSegmentUncompressedBytes: 64 * 1024 * 1024,
  maxReplayBytes: 64 * 1024 * 1024,
  maxSegments: 1000,
};

/** A setting that cannot be used as given; the message names the flag or variable and the fix. */
export class ConfigError extends Error {}

/** The command-line flags that have a configuration meaning (the rest are per command). */
export interface ConfigFlags {
  host?: string;
  port?: string;
  'data-dir'?: string;
  'public-url'?: string;
  'database-url'?: string;
}

type Env = Record<string, string | undefined>;

/** Reads the whole configuration: flags first, then PROLIFERATE_* variables, then defaults. */
export function readConfig(flags: ConfigFlags = {}, env: Env = process.env): ServerConfig {
  const setting = (flag: keyof ConfigFlags | null, name: string) => {
    const fromFlag = flag ? flags[flag] : undefined;
    if (fromFlag !== undefined) return { value: fromFlag, label: `--${flag}` };
    const fromEnv = env[name];
    // An empty variable is treated as unset, as shells and compose files often leave them.
    return { value: fromEnv === '' ? undefined : fromEnv, label: flag ? `${name} (or --${flag})` : name };
  };
  const host = setting('host', 'PROLIFERATE_HOST').value ?? DEFAULT_HOST;
  const port = setting('port', 'PROLIFERATE_PORT');
  const publicUrl = setting('public-url', 'PROLIFERATE_PUBLIC_URL');
  const logLevel = setting(null, 'PROLIFERATE_LOG_LEVEL');
  const emailFrom = setting(null, 'PROLIFERATE_EMAIL_FROM');
  return {
    ...readStoreConfig(flags, env),
    host,
    port: portFrom(port.value, port.label),
    publicUrl: publicUrl.value === undefined ? undefined : httpUrl(publicUrl.value, publicUrl.label),
    trustProxy: boolean(setting(null, 'PROLIFERATE_TRUST_PROXY'), false),
    logLevel: oneOf(logLevel.value ?? 'warn', LOG_LEVELS, logLevel.label),
    dashboardDir: setting(null, 'PROLIFERATE_DASHBOARD_DIR').value,
    smtpUrl: smtpUrl(setting(null, 'PROLIFERATE_SMTP_URL')),
    emailFrom: emailFrom.value === undefined ? null : emailAddress(emailFrom.value, emailFrom.label),
    outboundAllowPrivate: boolean(setting(null, 'PROLIFERATE_OUTBOUND_ALLOW_PRIVATE'), false),
    limits: limitsFrom(setting(null, 'PROLIFERATE_MAX_BODY_MEMORY_MB')),
    artifacts: artifactLimits(env),
    alertIntervalMs: alertInterval(setting(null, 'PROLIFERATE_ALERT_INTERVAL_MS')),
    oidc: readOidc(setting),
    quotas: readQuotas(setting),
    metrics: readMetrics(setting),
    retention: readRetention(setting),
  };
}

function readOidc(setting: (flag: null, name: string) => { value: string | undefined; label: string }): OidcConfig | null {
  const issuer = setting(null, 'PROLIFERATE_OIDC_ISSUER');
  const clientId = setting(null, 'PROLIFERATE_OIDC_CLIENT_ID');
  const clientSecret = setting(null, 'PROLIFERATE_OIDC_CLIENT_SECRET');
  const role = setting(null, 'PROLIFERATE_OIDC_DEFAULT_ROLE');
  if (issuer.value === undefined) {
    if (clientId.value !== undefined) throw new ConfigError(`${clientId.label} is set but PROLIFERATE_OIDC_ISSUER is not: set the provider's issuer URL too`);
    return null;
  }
  const url = parseUrl(issuer.value, issuer.label, "the provider's issuer URL (https://...)");
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError(`${issuer.label} must be an https:// URL (plain http is accepted only for a provider on localhost)`);
  }
  if (!clientId.value) throw new ConfigError(`${clientId.label} must be set when PROLIFERATE_OIDC_ISSUER is`);
  if (!clientSecret.value) throw new ConfigError(`${clientSecret.label} must be set when PROLIFERATE_OIDC_ISSUER is`);
  const defaultRole = oneOf(role.value ?? 'none', ['none', 'viewer', 'member', 'admin'] as const, role.label);
  return {
    issuer: issuer.value,
    clientId: clientId.value,
    clientSecret: clientSecret.value,
    defaultRole: defaultRole === 'none' ? null : defaultRole,
    label: setting(null, 'PROLIFERATE_OIDC_LABEL').value ?? 'Single sign-on',
    allowInsecure: url.protocol === 'http:',
  };
}

/** Only what the store needs: the CLI's admin commands read this much. */
export function readStoreConfig(flags: ConfigFlags = {}, env: Env = process.env): StoreConfig {
  const dataDir = flags['data-dir'] ?? (env.PROLIFERATE_DATA_DIR || '.proliferate');
  const url = flags['database-url'] ?? (env.PROLIFERATE_DATABASE_URL || undefined);
  const label = flags['database-url'] !== undefined ? '--database-url' : 'PROLIFERATE_DATABASE_URL (or --database-url)';
  return { dataDir: resolve(dataDir), databaseUrl: url === undefined ? null : databaseUrl(url, label) };
}

/** The base URL DSNs point at: the public URL if set, else the address the server listens on. */
export function dsnBase(config: Pick<ServerConfig, 'publicUrl' | 'host' | 'port'>): string {
  return config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
}

export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`invalid port: ${text}`);
  return port;
}

/** The ingest limits, with PROLIFERATE_MAX_BODY_MEMORY_MB (a whole number of MiB, at least 1) applied. */
function limitsFrom({ value, label }: { value: string | undefined; label: string }): IngestLimits {
  if (value === undefined) return DEFAULT_LIMITS;
  const mb = Number(value);
  if (!Number.isSafeInteger(mb) || mb < 1) throw new ConfigError(`${label} must be a whole number of MiB, at least 1, got "${value}"`);
  return { ...DEFAULT_LIMITS, maxBodyMemoryBytes: mb * 1024 * 1024 };
}

/** How often alert rules are evaluated and the outbox drained (alerts/README.md). */
function alertInterval({ value, label }: { value: string | undefined; label: string }): number {
  if (value === undefined) return 1000;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 10 || ms > 3_600_000) throw new ConfigError(`${label} must be an integer from 10 to 3600000 (ms), got "${value}"`);
  return ms;
}

function portFrom(text: string | undefined, label: string): number {
  try {
    return parsePort(text, DEFAULT_PORT);
  } catch {
    throw new ConfigError(`${label} must be a port number from 0 to 65535 (invalid port: "${text}")`);
  }
}

function parseUrl(text: string, label: string, what: string): URL {
  try {
    return new URL(text);
  } catch {
    // The text itself may hold a password: it is not repeated.
    throw new ConfigError(`${label} must be ${what}; the value given is not a URL`);
  }
}

/** postgres:// or postgresql:// with a host or a socket path (host=... in the query). */
function databaseUrl(text: string, label: string): string {
  const what = 'a postgres:// or postgresql:// URL (for example postgres://user:password@localhost:5432/proliferate)';
  const url = parseUrl(text, label, what);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`${label} must be ${what}; got a ${url.protocol}// URL (leave it unset to use SQLite in the data directory)`);
  }
  if (!url.hostname && !url.searchParams.get('host')) throw new ConfigError(`${label} must name a host: ${what}`);
  return text;
}

function httpUrl(text: string, label: string): string {
  const url = parseUrl(text, label, 'an http:// or https:// URL');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${label} must be an http:// or https:// URL, got ${url.protocol}//`);
  return text;
}

function smtpUrl({ value, label }: { value: string | undefined; label: string }): string | null {
  if (value === undefined) return null;
  const what = 'an smtp:// or smtps:// URL (for example smtps://user:password@mail.example.com:465)';
  const url = parseUrl(value, label, what);
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new ConfigError(`${label} must be ${what}; got ${url.protocol}//`);
  if (!url.hostname) throw new ConfigError(`${label} must name the mail server's host: ${what}`);
  return value;
}

/** `alerts@example.com` or `Proliferate <alerts@example.com>`. */
function emailAddress(text: string, label: string): string {
  const address = /^(?:[^<>\r\n]*<([^<>\s]+)>|([^<>\s]+))$/.exec(text.trim());
  const bare = address?.[1] ?? address?.[2];
  if (!bare || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(bare)) {
    throw new ConfigError(`${label} must be an email address such as alerts@example.com or "Proliferate <alerts@example.com>", got "${text}"`);
  }
  return text.trim();
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function boolean({ value, label }: { value: string | undefined; label: string }, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  const lower = value.trim().toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  throw new ConfigError(`${label} must be true or false, got "${value}"`);
}

function oneOf<T extends string>(value: string, allowed: readonly T[], label: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${label} must be one of ${allowed.join(', ')}, got "${value}"`);
}

export function dsnFor(publicUrl: string, publicKey: string, projectId: number | string): string {
  const url = new URL(publicUrl);
  url.username = publicKey;
  const base = url.toString().replace(/\/$/, '');
  return `${base}/${projectId}`;
}

/** Source maps and symbolication (issue 14; docs/releases.md). */
export interface ArtifactLimits {
  /** One upload chunk, as advertised to sentry-cli. */
  chunkBytes: number;
  /** One assembled bundle (zip). */
  maxBundleBytes: number;
  /** Unpacked files of one bundle together (a zip bomb stops here). */
  maxUnpackedBytes: number;
  /** All bundles of one project; the oldest are dropped beyond it. */
  maxProjectBytes: number;
  /** Parsed source maps kept in memory. */
  mapCacheBytes: number;
  /** How long symbolication may hold one ingest request before the event is stored as sent. */
  symbolicationBudgetMs: number;
}

const MiB = 1024 * 1024;

export function artifactLimits(env: Env = process.env): ArtifactLimits {
  const number = (name: string, fallback: number) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a positive number, got "${text}"`);
    return value;
  };
  return {
    chunkBytes: 8 * MiB,
    maxBundleBytes: number('PROLIFERATE_MAX_BUNDLE_MB', 100) * MiB,
    maxUnpackedBytes: 4 * number('PROLIFERATE_MAX_BUNDLE_MB', 100) * MiB,
    maxProjectBytes: number('PROLIFERATE_MAX_ARTIFACTS_MB_PER_PROJECT', 1024) * MiB,
    mapCacheBytes: number('PROLIFERATE_SOURCEMAP_CACHE_MB', 256) * MiB,
    symbolicationBudgetMs: number('PROLIFERATE_SYMBOLICATION_BUDGET_MS', 2000),
  };
}
