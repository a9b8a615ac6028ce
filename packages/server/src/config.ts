import { resolve } from 'node:path';

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** Base URL that DSNs point at; defaults to http://{host}:{port}. */
  publicUrl?: string;
  limits: IngestLimits;
  /** Source-map upload and symbolication bounds; read from the environment when not given. */
  artifacts?: ArtifactLimits;
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

export function artifactLimits(env: NodeJS.ProcessEnv = process.env): ArtifactLimits {
  const number = (name: string, fallback: number) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`invalid ${name}: ${text}`);
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
