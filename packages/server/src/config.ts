import { resolve } from 'node:path';

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** Base URL that DSNs point at; defaults to http://{host}:{port}. */
  publicUrl?: string;
  limits: IngestLimits;
  /** PROLIFERATE_SMTP_URL: smtp://user:pass@host:port, or smtps:// for TLS. No e-mail without it. */
  smtpUrl?: string;
  /** PROLIFERATE_EMAIL_FROM: the From address of alert e-mail. */
  emailFrom?: string;
  /** PROLIFERATE_OUTBOUND_ALLOW_PRIVATE=true lets webhooks reach private addresses (tests only). */
  outboundAllowPrivate?: boolean;
  /** PROLIFERATE_ALERT_INTERVAL_MS: how often alert rules are evaluated and the outbox drained. */
  alertIntervalMs?: number;
}

/** The alert and notification settings, from the environment. */
export function alertSettingsFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const interval = env.PROLIFERATE_ALERT_INTERVAL_MS;
  const alertIntervalMs = interval === undefined || interval === '' ? undefined : Number(interval);
  if (alertIntervalMs !== undefined && (!Number.isInteger(alertIntervalMs) || alertIntervalMs < 10 || alertIntervalMs > 3_600_000)) {
    throw new Error(`invalid PROLIFERATE_ALERT_INTERVAL_MS: ${interval} (an integer from 10 to 3600000)`);
  }
  const smtpUrl = env.PROLIFERATE_SMTP_URL || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) throw new Error('PROLIFERATE_SMTP_URL must start with smtp:// or smtps://');
  return {
    smtpUrl,
    emailFrom: env.PROLIFERATE_EMAIL_FROM || undefined,
    outboundAllowPrivate: env.PROLIFERATE_OUTBOUND_ALLOW_PRIVATE === 'true',
    alertIntervalMs,
  };
}

export interface IngestLimits {
  /** Bytes on the wire, before decompression. */
  maxCompressedBytes: number;
  /** Bytes after decompression; a bomb is stopped as soon as it passes this. */
  maxDecompressedBytes: number;
  /** One event item (Sentry's own limit is 1 MB). */
  maxEventBytes: number;
}

export const DEFAULT_PORT = 8000;
export const DEFAULT_LIMITS: IngestLimits = {
  maxCompressedBytes: 20 * 1024 * 1024,
  maxDecompressedBytes: 100 * 1024 * 1024,
  maxEventBytes: 1024 * 1024,
};

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.PROLIFERATE_DATA_DIR || '.proliferate');
}

export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${text}`);
  return port;
}

export function dsnFor(publicUrl: string, publicKey: string, projectId: number | string): string {
  const url = new URL(publicUrl);
  url.username = publicKey;
  const base = url.toString().replace(/\/$/, '');
  return `${base}/${projectId}`;
}
