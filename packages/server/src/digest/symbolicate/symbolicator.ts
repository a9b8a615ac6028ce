/**
 * Symbolication of JavaScript frames before grouping (issue 14): each frame whose file has a
 * source map (by the debug ID in the event's `debug_meta.images`, else by release + URL) gets its
 * original file, line, column, function and context lines; the frames as sent stay in the
 * exception's `raw_stacktrace` (Sentry's field). Problems become the event's processing errors
 * (`errors`, Sentry's `js_*` types), never a failed ingest.
 */
import type { ArtifactFile, ReleaseStore } from '../../store/release-types.js';
import type { Store } from '../../store/types.js';
import { isObject } from '../values.js';
import { indexFunctions } from './enclosing-function.js';
import { debugIdKey, hasSourcemapImage, isJsFrame, type Lookup, type Plan, type PlannedFrame, planFrames } from './frame-plan.js';
import { LookupCache, type MapRef } from './lookup-cache.js';
import { MapCache, type ParsedMap } from './map-cache.js';
import { mapPosition } from './map-position.js';
import { candidateUrls, resolveUrl } from './urls.js';

type Json = Record<string, unknown>;
type Frame = Json;

/** Maps parsed ahead per upload; a bundle of a large app has a few hundred. */
const MAX_WARMED_MAPS = 500;
/** Minified files read for function names when a map lacks its sources; a large app bundle is a few MB. */
const MAX_MINIFIED_BYTES = 16 * 1024 * 1024;
/** Frame fields a mapped frame keeps from the minified one. */
const KEPT_FRAME_FIELDS = ['module', 'platform', 'package', 'vars', 'instruction_addr'] as const;

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

export class Symbolicator {
  private readonly maps: MapCache;
  private readonly lookups = new LookupCache();
  /** Artifact files that are not valid source maps, with the reason. */
  private readonly broken = new Map<number, string>();
  private projects: Set<number> = new Set();
  /** Bumped by every refresh: a lookup that started before one must not cache "no map" after it. */
  private generation = 0;
  readonly stats: SymbolicationStats = { events: 0, timeouts: 0, cachedMaps: 0 };

  constructor(
    private readonly store: Pick<ReleaseStore, 'artifactByDebugId' | 'artifactByUrl' | 'projectsWithArtifacts'>,
    private readonly options: SymbolicatorOptions,
  ) {
    this.maps = new MapCache(options.cacheBytes);
  }

  /**
   * Hears the store's invalidations (store/invalidation.ts): on PostgreSQL an upload through any
   * process reaches every process's symbolicator by NOTIFY, so the next event there maps too.
   */
  listen(store: Pick<Store, 'onInvalidation'>): () => void {
    return store.onInvalidation((change) => {
      if (change.kind === 'artifacts') this.artifactsChanged(change.projectId);
      // A deleted project, or notifications lost while the listener was down: read everything again.
      else if (change.kind !== 'project_key') void this.refresh().catch(() => undefined);
    });
  }

  /**
   * A bundle was stored for the project, here or in another process: symbolicate its events from
   * now on and forget what was looked up for it before. Synchronous, so the upload is answered
   * (or the notification handled) with the caches already right; the generation stops a lookup
   * still running from remembering "no map" afterwards.
   */
  artifactsChanged(projectId: number): void {
    this.generation++;
    this.projects.add(projectId);
    this.lookups.forgetProject(projectId);
  }

  /** Reads which projects have artifacts: at start, and when the store says caches may be stale. */
  async refresh(): Promise<void> {
    const generation = ++this.generation;
    this.lookups.clear();
    const projects = await this.store.projectsWithArtifacts();
    // An upload or a later refresh meanwhile: this answer may miss its project; theirs stands.
    if (generation === this.generation) this.projects = projects;
    this.lookups.clear();
  }

  /**
   * Parses the source maps of a bundle just stored, before the upload is answered, so an event that
   * arrives after \`sentry-cli sourcemaps upload\` returned maps from the cache at once. Without it
   * the first event paid the store read and the parse inside the ingest budget, and on a loaded
   * machine (CI at load 25 on 2 cores) it ran out and the event was stored unsymbolicated, as a
   * second issue. Bounded by the map cache (the least recently used maps make room).
   */
  async warm(projectId: number, debugIds: Iterable<string>): Promise<void> {
    for (const debugId of [...new Set(debugIds)].slice(0, MAX_WARMED_MAPS)) {
      await this.fetch(debugIdKey(projectId, debugId), { projectId, url: '', debugId, release: null, dist: null });
    }
    this.stats.cachedMaps = this.maps.size;
  }

  /**
   * Cheap and synchronous: whether the event may have frames to map (ingest calls it for every event).
   * An event that names debug IDs is always looked at, even for a project this process has not seen
   * an upload for (another process took it, or none was made): a frame whose debug ID has no map
   * gets a `js_no_source` note, as Sentry shows "missing source map", instead of nothing.
   */
  wants(projectId: number, raw: Json): boolean {
    if (!this.projects.has(projectId) && !hasSourcemapImage(raw.debug_meta)) return false;
    const values = isObject(raw.exception) ? raw.exception.values : raw.exception;
    if (!Array.isArray(values)) return false;
    return values.some((v) => isObject(v) && isObject(v.stacktrace) && Array.isArray(v.stacktrace.frames) && v.stacktrace.frames.some(isJsFrame));
  }

  /**
   * Maps the event's frames in place. When every map it needs is cached (the usual case) this is
   * synchronous and returns null; otherwise it returns a promise that fetches and parses the
   * missing maps within the time budget (on timeout the event is stored as sent, with a
   * processing error saying so). Measured: one await per frame cost more than the mapping itself.
   */
  symbolicate(projectId: number, raw: Json): Promise<void> | null {
    this.stats.events++;
    const plan = planFrames(projectId, raw);
    if (plan.frames.length === 0) return null;
    const now = Date.now();
    const missing = [...plan.lookups].filter(([key]) => this.resolved(key, now) === undefined);
    if (missing.length === 0) {
      this.apply(plan, raw, now);
      return null;
    }
    return this.fetchThenApply(plan, missing, raw);
  }

  private async fetchThenApply(plan: Plan, missing: Array<[string, Lookup]>, raw: Json): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.options.budgetMs)));
    try {
      const fetched = await Promise.race([Promise.all(missing.map(([key, lookup]) => this.fetch(key, lookup))), timeout]);
      if (fetched === 'timeout') {
        this.stats.timeouts++;
        addErrors(raw, [{ type: 'js_symbolication_timeout', budget_ms: this.options.budgetMs }]);
        return;
      }
      this.apply(plan, raw, Date.now());
    } catch (error) {
      addErrors(raw, [{ type: 'js_symbolication_failed', reason: String((error as Error).message).slice(0, 200) }]);
    } finally {
      clearTimeout(timer);
      this.stats.cachedMaps = this.maps.size;
    }
  }

  /** The cached answer for a lookup: a parsed map, null (no map), an error, or undefined (not cached). */
  private resolved(key: string, now: number): { ref: MapRef; parsed: ParsedMap } | { error: string } | null | undefined {
    const ref = this.lookups.get(key, now);
    if (ref === undefined || ref === null) return ref;
    const broken = this.broken.get(ref.id);
    if (broken !== undefined) return { error: broken };
    const parsed = this.maps.peek(ref.id);
    return parsed ? { ref, parsed } : undefined;
  }

  private async fetch(key: string, lookup: Lookup): Promise<void> {
    const generation = this.generation;
    const found = lookup.debugId
      ? { map: await this.store.artifactByDebugId(lookup.projectId, lookup.debugId, 'source_map'), minified: undefined }
      : await this.mapByUrl(lookup.projectId, lookup.url, lookup.release!, lookup.dist);
    const file = found.map;
    if (!file) {
      // A bundle stored while this lookup ran may hold the map: do not remember "none" past it.
      if (generation === this.generation) this.lookups.set(key, null, Date.now());
      return;
    }
    try {
      const parsed = this.maps.get(file.id, () => file.content);
      this.broken.delete(file.id);
      if (parsed.lacksContent && parsed.minified === undefined) {
        const minified =
          found.minified ?? (lookup.debugId ? await this.store.artifactByDebugId(lookup.projectId, lookup.debugId, 'minified_source') : undefined);
        parsed.minified = minified && minified.content.byteLength <= MAX_MINIFIED_BYTES ? indexFunctions(Buffer.from(minified.content).toString('utf8')) : null;
      }
    } catch (error) {
      if (this.broken.size >= 1000) this.broken.clear();
      this.broken.set(file.id, String((error as Error).message).slice(0, 200));
    }
    this.lookups.set(key, { id: file.id, url: file.url }, Date.now());
  }

  /** Maps every planned frame from the cache (synchronous), then writes the result into the event. */
  private apply(plan: Plan, raw: Json, now: number): void {
    const errors: Json[] = [];
    const reported = new Set<string>();
    const report = (error: Json) => {
      const key = `${error.type}\u0000${error.url}\u0000${error.source ?? ''}`;
      if (!reported.has(key)) {
        reported.add(key);
        errors.push(error);
      }
    };
    const updated = new Map<Json, Frame[]>();
    for (const planned of plan.frames) {
      const mapped = this.mapFrame(planned, this.resolved(planned.key, now), report);
      if (!mapped) continue;
      let frames = updated.get(planned.value);
      if (!frames) updated.set(planned.value, (frames = [...((planned.value.stacktrace as Json).frames as Frame[])]));
      frames[planned.index] = mapped;
    }
    for (const [value, frames] of updated) {
      value.raw_stacktrace = value.stacktrace;
      value.stacktrace = { ...(value.stacktrace as Json), frames };
    }
    addErrors(raw, errors);
  }

  private mapFrame(planned: PlannedFrame, found: ReturnType<Symbolicator['resolved']>, report: (error: Json) => void): Frame | null {
    const { frame, url, debugId } = planned;
    if (found && 'error' in found) {
      report({ type: 'js_invalid_source', url, reason: found.error });
      return null;
    }
    if (!found) {
      // Without a debug ID, only a served script (http(s), app://) is expected to have a map: a server
      // file on disk without one is usually just unminified, and reporting it would be noise.
      if (debugId || (frame.in_app !== false && /^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('file:'))) {
        report({ type: 'js_no_source', url, ...(debugId ? { debug_id: debugId } : {}) });
      }
      return null;
    }
    const { lineno: line, colno: column } = frame;
    if (typeof line !== 'number' || typeof column !== 'number' || line < 1 || column < 1) {
      report({ type: 'js_missing_source_position', url });
      return null;
    }
    const position = mapPosition(found.parsed, line, column);
    if (!position) {
      report({ type: 'js_invalid_sourcemap_location', url, row: line, column });
      return null;
    }
    // Sentry's note for a map without the original source: the frame maps, without context lines.
    if (position.missingContent) report({ type: 'js_missing_sources_content', url, source: position.source });
    // One object literal of a fixed shape: a spread copy of the frame with the context properties
    // added after it fell out of V8's fast mode, and that made both building and serializing the
    // event slow (profiled: most of the warm cost per event).
    const out: Frame = {
      function: position.name ?? frame.function ?? null,
      filename: position.filename,
      abs_path: position.source,
      lineno: position.line,
      colno: position.column + 1,
      in_app: position.inApp && frame.in_app !== false,
      pre_context: position.preContext,
      context_line: position.contextLine,
      post_context: position.postContext,
      data: { sourcemap: found.ref.url, symbolicated: true },
    };
    for (const field of KEPT_FRAME_FIELDS) if (frame[field] !== undefined) out[field] = frame[field];
    return out;
  }

  /** The map of a release's file, and the minified file itself when it was uploaded. */
  private async mapByUrl(projectId: number, url: string, release: string, dist: string | null): Promise<{ map?: ArtifactFile; minified?: ArtifactFile }> {
    const candidates = candidateUrls(url);
    const found = await this.store.artifactByUrl(projectId, release, dist, candidates);
    if (found?.type === 'source_map') return { map: found };
    const minified = found;
    if (minified?.debugId) {
      const byId = await this.store.artifactByDebugId(projectId, minified.debugId, 'source_map');
      if (byId) return { map: byId, minified };
    }
    if (minified?.sourcemapUrl) {
      const mapUrl = resolveUrl(minified.url, minified.sourcemapUrl);
      const map = await this.store.artifactByUrl(projectId, release, dist, [mapUrl]);
      if (map) return { map, minified };
    }
    return { map: await this.store.artifactByUrl(projectId, release, dist, candidates.map((c) => `${c}.map`)), minified };
  }
}

function addErrors(raw: Json, errors: Json[]): void {
  if (errors.length === 0) return;
  const existing = Array.isArray(raw.errors) ? raw.errors : [];
  raw.errors = [...existing, ...errors].slice(0, 50);
}
