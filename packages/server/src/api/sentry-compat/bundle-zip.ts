/**
 * Reads an artifact bundle (sentry-cli `sourcemaps upload`) or a release bundle (the older
 * release-file flow): a zip with `manifest.json` naming each file's URL (`~/app.min.js`), type
 * (`minified_source`, `source_map`) and headers (`debug-id`, `Sourcemap`). fflate reads it: small,
 * dependency-free, maintained, and it lets each entry be refused by its declared size before it is
 * inflated (a zip bomb stops at the bound).
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import type { ArtifactFileInput } from '../../store/release-types.js';

export class BundleError extends Error {}

const MAX_ENTRIES = 10_000;
const KEPT_TYPES = new Set(['minified_source', 'source_map']);
const DEBUG_ID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export interface UnpackedBundle {
  files: ArtifactFileInput[];
  release: string | null;
  dist: string | null;
}

/** `8f1c…` with or without dashes -> lowercase, dashed. */
export function normalizeDebugId(value: unknown): string | null {
  if (typeof value !== 'string' || !DEBUG_ID.test(value.trim())) return null;
  const hex = value.trim().replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function header(headers: Record<string, unknown>, name: string): string | null {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return null;
}

export function unpackBundle(zip: Uint8Array, maxUnpackedBytes: number): UnpackedBundle {
  let entries = 0;
  let unpacked = 0;
  let entriesData: Record<string, Uint8Array>;
  try {
    entriesData = unzipSync(zip, {
      filter(file: UnzipFileInfo) {
        entries++;
        unpacked += file.originalSize;
        if (entries > MAX_ENTRIES) throw new BundleError(`the bundle has more than ${MAX_ENTRIES} files`);
        if (unpacked > maxUnpackedBytes) throw new BundleError(`the bundle unpacks to more than ${maxUnpackedBytes} bytes`);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof BundleError) throw error;
    throw new BundleError(`the bundle is not a valid zip file: ${(error as Error).message}`);
  }
  const manifestBytes = entriesData['manifest.json'];
  if (!manifestBytes) throw new BundleError('the bundle has no manifest.json');
  let manifest: { files?: unknown; release?: unknown; dist?: unknown };
  try {
    manifest = JSON.parse(Buffer.from(manifestBytes).toString('utf8')) as typeof manifest;
  } catch {
    throw new BundleError('manifest.json is not valid JSON');
  }
  if (!manifest || typeof manifest.files !== 'object' || manifest.files === null) throw new BundleError('manifest.json has no files');
  const files: ArtifactFileInput[] = [];
  for (const [path, info] of Object.entries(manifest.files as Record<string, unknown>)) {
    if (!info || typeof info !== 'object') continue;
    const entry = info as { url?: unknown; type?: unknown; headers?: unknown };
    const headers = entry.headers && typeof entry.headers === 'object' ? (entry.headers as Record<string, unknown>) : {};
    const type = typeof entry.type === 'string' ? entry.type : guessType(String(entry.url ?? path));
    if (!KEPT_TYPES.has(type) || typeof entry.url !== 'string' || entry.url.length > 2048) continue;
    const content = entriesData[path];
    if (!content) throw new BundleError(`manifest.json names ${path}, which the bundle does not contain`);
    files.push({
      url: entry.url,
      type,
      debugId: normalizeDebugId(header(headers, 'debug-id')),
      sourcemapUrl: header(headers, 'sourcemap') ?? header(headers, 'x-sourcemap'),
      content,
    });
  }
  return {
    files,
    release: typeof manifest.release === 'string' ? manifest.release : null,
    dist: typeof manifest.dist === 'string' ? manifest.dist : null,
  };
}

/** Release files uploaded one by one have no manifest type: `.map` is a source map. */
export function guessType(url: string): string {
  return /\.map(\?.*)?$/i.test(url) ? 'source_map' : 'minified_source';
}
