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
  /** One replay_recording item as sent (Sentry's own limit is 10 MiB). */
  maxSegmentBytes: number;
  /** One replay segment's rrweb JSON after decompression. */
  maxSegmentUncompressedBytes: number;
  /** Compressed bytes stored for one replay, all segments together. */
  maxReplayBytes: number;
  /** Segments of one replay (an hour of recording is ~720 at the SDKs' 5 s flushes). */
  maxSegments: number;
}

export const DEFAULT_PORT = 8000;
export const DEFAULT_LIMITS: IngestLimits = {
  maxCompressedBytes: 20 * 1024 * 1024,
  maxDecompressedBytes: 100 * 1024 * 1024,
  maxEventBytes: 1024 * 1024,
  maxSegmentBytes: 10 * 1024 * 1024,
  maxSegmentUncompressedBytes: 64 * 1024 * 1024,
  maxReplayBytes: 64 * 1024 * 1024,
  maxSegments: 1000,
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
