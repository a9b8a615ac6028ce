import { resolve } from 'node:path';

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** PostgreSQL connection URL (--database-url, PROLIFERATE_DATABASE_URL); SQLite in dataDir when unset. */
  databaseUrl?: string;
  /** Base URL that DSNs point at; defaults to http://{host}:{port}. */
  publicUrl?: string;
  limits: IngestLimits;
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
