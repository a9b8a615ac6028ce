import { resolve } from 'node:path';

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
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
  /**
   * Bytes of request bodies (after decompression) held in memory at once across all requests;
   * past it a body is refused with 503 + Retry-After (ingest/body-budget.ts).
   */
  maxBodyMemoryBytes: number;
}

export const DEFAULT_PORT = 8000;
export const DEFAULT_LIMITS: IngestLimits = {
  maxCompressedBytes: 20 * 1024 * 1024,
  maxDecompressedBytes: 100 * 1024 * 1024,
  maxEventBytes: 1024 * 1024,
  // Two bodies at the decompressed limit at once, or thousands of ordinary envelopes.
  maxBodyMemoryBytes: 256 * 1024 * 1024,
};

/** The limits, with PROLIFERATE_MAX_BODY_MEMORY_MB (a whole number of MiB, at least 1) applied. */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): IngestLimits {
  const text = env.PROLIFERATE_MAX_BODY_MEMORY_MB;
  if (text === undefined || text === '') return DEFAULT_LIMITS;
  const mb = Number(text);
  if (!Number.isSafeInteger(mb) || mb < 1) throw new Error(`invalid PROLIFERATE_MAX_BODY_MEMORY_MB: ${text} (a whole number of MiB)`);
  return { ...DEFAULT_LIMITS, maxBodyMemoryBytes: mb * 1024 * 1024 };
}

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
