/**
 * Symbolication of JavaScript frames before grouping (issue 14): each frame whose file has a
 * source map (by the debug ID in the event's `debug_meta.images`, else by release + URL) gets its
 * original file, line, column, function and context lines; the frames as sent stay in the
 * exception's `raw_stacktrace` (Sentry's field). Problems become the event's processing errors
 * (`errors`, Sentry's `js_*` types), never a failed ingest.
 */
import { originalPositionFor } from '@jridgewell/trace-mapping';
import type { ArtifactFile, ReleaseStore } from '../../store/release-types.js';
import { isObject } from '../values.js';
import { MapCache, type ParsedMap } from './map-cache.js';
import { candidateUrls, cleanSourcePath, resolveUrl } from './urls.js';

type Json = Record<string, unknown>;
type Frame = Json;

const CONTEXT_LINES = 5;
const MAX_LINE = 1000;
const JS_FILE = /\.(m|c)?js(\?.*)?$/i;

export interface SymbolicatorOptions {
  /** Bound on parsed maps in memory (bytes of the maps, times three). */
  cacheBytes: number;
  /** How long one event may wait for symbolication before it is stored as sent. */
  budgetMs: number;
}

export interface SymbolicationStats {
  events: number;
  timeouts: number;
  cachedMaps: number;
}

interface MapRef {
  id: number;
  url: string;
}

/** Lookups answered recently: a found map for 5 minutes, a missing one for 10 seconds (uploads may follow). */
class LookupCache {
  private readonly entries = new Map<string, { ref: MapRef | null; until: number }>();
  get(key: string, now: number): MapRef | null | undefined {
    const hit = this.entries.get(key);
    if (!hit || hit.until < now) return undefined;
    return hit.ref;
  }
  set(key: string, ref: MapRef | null, now: number): void {
    if (this.entries.size >= 10_000) this.entries.clear();
    this.entries.set(key, { ref, until: now + (ref ? 300_000 : 10_000) });
  }
  clear(): void {
    this.entries.clear();
  }
}

export class Symbolicator {
  private readonly maps: MapCache;
  private readonly lookups = new LookupCache();
  private projects: Set<number> = new Set();
  readonly stats: SymbolicationStats = { events: 0, timeouts: 0, cachedMaps: 0 };

  constructor(
    private readonly store: Pick<ReleaseStore, 'artifactByDebugId' | 'artifactByUrl' | 'projectsWithArtifacts'>,
    private readonly options: SymbolicatorOptions,
  ) {
    this.maps = new MapCache(options.cacheBytes);
  }

  /** Reads which projects have artifacts; call at start and after every upload. */
  async refresh(): Promise<void> {
    this.projects = await this.store.projectsWithArtifacts();
    this.lookups.clear();
  }

  /** Cheap and synchronous: whether the event may have frames to map (ingest calls it for every event). */
  wants(projectId: number, raw: Json): boolean {
    if (!this.projects.has(projectId)) return false;
    const values = isObject(raw.exception) ? raw.exception.values : raw.exception;
    if (!Array.isArray(values)) return false;
    return values.some((v) => isObject(v) && isObject(v.stacktrace) && Array.isArray(v.stacktrace.frames) && v.stacktrace.frames.some(isJsFrame));
  }

  /**
   * Maps the event's frames in place, within the time budget. On timeout the event is left as sent,
   * with a processing error saying so.
   */
  async symbolicate(projectId: number, raw: Json): Promise<void> {
    this.stats.events++;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.options.budgetMs)));
    try {
      const result = await Promise.race([this.mapEvent(projectId, raw), timeout]);
      if (result === 'timeout') {
        this.stats.timeouts++;
        addErrors(raw, [{ type: 'js_symbolication_timeout', budget_ms: this.options.budgetMs }]);
        return;
      }
      result();
    } catch (error) {
      addErrors(raw, [{ type: 'js_symbolication_failed', reason: String((error as Error).message).slice(0, 200) }]);
    } finally {
      clearTimeout(timer);
      this.stats.cachedMaps = this.maps.size;
    }
  }

  /** Computes the mapped frames; returns a function that applies them, so a timeout leaves `raw` untouched. */
  private async mapEvent(projectId: number, raw: Json): Promise<() => void> {
    const debugIds = debugIdsByFile(raw.debug_meta);
    const release = typeof raw.release === 'string' ? raw.release : null;
    const dist = typeof raw.dist === 'string' ? raw.dist : null;
    const errors: Json[] = [];
    const reported = new Set<string>();
    const report = (error: Json) => {
      const key = `${error.type}\u0000${error.url}`;
      if (!reported.has(key)) {
        reported.add(key);
        errors.push(error);
      }
    };
    const values = (isObject(raw.exception) ? raw.exception.values : raw.exception) as unknown[];
    const updates: Array<{ value: Json; frames: Frame[] }> = [];
    for (const value of values) {
      if (!isObject(value) || !isObject(value.stacktrace) || !Array.isArray(value.stacktrace.frames)) continue;
      let changed = false;
      const frames: Frame[] = [];
      for (const frame of value.stacktrace.frames as unknown[]) {
        const mapped = isObject(frame) && isJsFrame(frame) ? await this.mapFrame(projectId, frame, debugIds, release, dist, report) : null;
        if (mapped) changed = true;
        frames.push(mapped ?? (frame as Frame));
      }
      if (changed) updates.push({ value, frames });
    }
    return () => {
      for (const { value, frames } of updates) {
        value.raw_stacktrace = value.stacktrace;
        value.stacktrace = { ...(value.stacktrace as Json), frames };
      }
      addErrors(raw, errors);
    };
  }

  private async mapFrame(
    projectId: number,
    frame: Frame,
    debugIds: Map<string, string>,
    release: string | null,
    dist: string | null,
    report: (error: Json) => void,
  ): Promise<Frame | null> {
    const url = String(frame.abs_path ?? frame.filename);
    const line = frame.lineno;
    const column = frame.colno;
    const debugId = debugIds.get(url) ?? (typeof frame.filename === 'string' ? debugIds.get(frame.filename) : undefined);
    if (!debugId && !release) return null;
    let ref: MapRef | null;
    let parsed: ParsedMap | null = null;
    try {
      const found = await this.findMap(projectId, url, debugId ?? null, release, dist);
      ref = found.ref;
      if (ref) parsed = this.maps.get(ref.id, () => found.file?.content ?? new Uint8Array());
    } catch (error) {
      report({ type: 'js_invalid_source', url, reason: String((error as Error).message).slice(0, 200) });
      return null;
    }
    if (!ref || !parsed) {
      // Without a debug ID, only a served script (http(s), app://) is expected to have a map: a server
      // file on disk without one is usually just unminified, and reporting it would be noise.
      if (debugId || (frame.in_app !== false && /^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('file:'))) {
        report({ type: 'js_no_source', url, ...(debugId ? { debug_id: debugId } : {}) });
      }
      return null;
    }
    if (typeof line !== 'number' || typeof column !== 'number' || line < 1 || column < 1) {
      report({ type: 'js_missing_source_position', url });
      return null;
    }
    const position = originalPositionFor(parsed.map, { line, column: column - 1 });
    if (position.source === null || position.line === null) {
      report({ type: 'js_invalid_sourcemap_location', url, row: line, column });
      return null;
    }
    const functionName = parsed.functions(position.source)?.nameAt(position.line, position.column ?? 0) ?? position.name ?? frame.function;
    const out: Frame = {
      ...frame,
      abs_path: position.source,
      filename: cleanSourcePath(position.source),
      lineno: position.line,
      colno: (position.column ?? 0) + 1,
      function: functionName,
      in_app: typeof frame.in_app === 'boolean' && !/node_modules/.test(position.source) ? frame.in_app : !/node_modules/.test(position.source),
      data: { ...(isObject(frame.data) ? frame.data : {}), sourcemap: ref.url, symbolicated: true },
    };
    delete out.pre_context;
    delete out.context_line;
    delete out.post_context;
    const lines = parsed.lines(position.source);
    if (lines && position.line <= lines.length) {
      const clip = (text: string) => (text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}…` : text);
      out.pre_context = lines.slice(Math.max(0, position.line - 1 - CONTEXT_LINES), position.line - 1).map(clip);
      out.context_line = clip(lines[position.line - 1]!);
      out.post_context = lines.slice(position.line, position.line + CONTEXT_LINES).map(clip);
    }
    return out;
  }

  /** The source map for a frame's file: by debug ID, else the release's minified file and its map. */
  private async findMap(
    projectId: number,
    url: string,
    debugId: string | null,
    release: string | null,
    dist: string | null,
  ): Promise<{ ref: MapRef | null; file?: ArtifactFile }> {
    const key = debugId ? `${projectId}\u0000d\u0000${debugId}` : `${projectId}\u0000r\u0000${release}\u0000${dist}\u0000${url}`;
    const now = Date.now();
    const cached = this.lookups.get(key, now);
    if (cached !== undefined) {
      if (cached === null || this.maps.has(cached.id)) return { ref: cached };
    }
    const file = debugId ? await this.store.artifactByDebugId(projectId, debugId, 'source_map') : await this.mapByUrl(projectId, url, release!, dist);
    const ref = file ? { id: file.id, url: file.url } : null;
    this.lookups.set(key, ref, now);
    return { ref, file };
  }

  private async mapByUrl(projectId: number, url: string, release: string, dist: string | null): Promise<ArtifactFile | undefined> {
    const candidates = candidateUrls(url);
    const minified = await this.store.artifactByUrl(projectId, release, dist, candidates);
    if (minified?.type === 'source_map') return minified;
    if (minified?.debugId) {
      const byId = await this.store.artifactByDebugId(projectId, minified.debugId, 'source_map');
      if (byId) return byId;
    }
    if (minified?.sourcemapUrl) {
      const mapUrl = resolveUrl(minified.url, minified.sourcemapUrl);
      const map = await this.store.artifactByUrl(projectId, release, dist, [mapUrl]);
      if (map) return map;
    }
    return this.store.artifactByUrl(projectId, release, dist, candidates.map((c) => `${c}.map`));
  }
}

function isJsFrame(frame: unknown): boolean {
  if (!isObject(frame)) return false;
  const file = frame.abs_path ?? frame.filename;
  return typeof file === 'string' && JS_FILE.test(file) && typeof frame.lineno === 'number';
}

/** `debug_meta.images` of type sourcemap: code_file -> debug_id. */
function debugIdsByFile(debugMeta: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const images = isObject(debugMeta) ? debugMeta.images : undefined;
  if (!Array.isArray(images)) return out;
  for (const image of images.slice(0, 1000)) {
    if (!isObject(image) || image.type !== 'sourcemap') continue;
    if (typeof image.code_file === 'string' && typeof image.debug_id === 'string' && /^[0-9a-f-]{32,36}$/i.test(image.debug_id)) {
      out.set(image.code_file, image.debug_id.toLowerCase());
    }
  }
  return out;
}

function addErrors(raw: Json, errors: Json[]): void {
  if (errors.length === 0) return;
  const existing = Array.isArray(raw.errors) ? raw.errors : [];
  raw.errors = [...existing, ...errors].slice(0, 50);
}
