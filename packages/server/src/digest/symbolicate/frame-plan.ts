/**
 * Which frames of an event symbolication looks at, and the map lookup each one needs: the debug ID
 * of its file (the event's `debug_meta.images`), else the event's release + the frame's URL. Reads
 * the event only; fetching and mapping are the symbolicator's (symbolicator.ts).
 */
import { isObject } from '../values.js';

type Json = Record<string, unknown>;

const JS_FILE = /\.(m|c)?js(\?.*)?$/i;

/** The cache key of a map found by debug ID (LookupCache.forgetProject relies on its `d` part). */
export const debugIdKey = (projectId: number, debugId: string) => `${projectId}\u0000d\u0000${debugId}`;

export interface Lookup {
  projectId: number;
  url: string;
  debugId: string | null;
  release: string | null;
  dist: string | null;
}

export interface PlannedFrame {
  value: Json;
  index: number;
  frame: Json;
  url: string;
  debugId: string | null;
  key: string;
}

export interface Plan {
  frames: PlannedFrame[];
  lookups: Map<string, Lookup>;
}

/** The JS frames that may map, each with the key of the map lookup it needs (debug ID, else release + URL). */
export function planFrames(projectId: number, raw: Json): Plan {
  const plan: Plan = { frames: [], lookups: new Map() };
  const debugIds = debugIdsByFile(raw.debug_meta);
  const release = typeof raw.release === 'string' ? raw.release : null;
  const dist = typeof raw.dist === 'string' ? raw.dist : null;
  const values = isObject(raw.exception) ? raw.exception.values : raw.exception;
  if (!Array.isArray(values)) return plan;
  for (const value of values) {
    if (!isObject(value) || !isObject(value.stacktrace) || !Array.isArray(value.stacktrace.frames)) continue;
    value.stacktrace.frames.forEach((frame: unknown, index: number) => {
      if (!isObject(frame) || !isJsFrame(frame)) return;
      const url = String(frame.abs_path ?? frame.filename);
      const debugId = debugIds.get(url) ?? (typeof frame.filename === 'string' ? debugIds.get(frame.filename) : undefined) ?? null;
      if (!debugId && !release) return;
      const key = debugId ? debugIdKey(projectId, debugId) : `${projectId}\u0000r\u0000${release}\u0000${dist}\u0000${url}`;
      if (!plan.lookups.has(key)) plan.lookups.set(key, { projectId, url, debugId, release, dist });
      plan.frames.push({ value, index, frame, url, debugId, key });
    });
  }
  return plan;
}

export function isJsFrame(frame: unknown): boolean {
  if (!isObject(frame)) return false;
  const file = frame.abs_path ?? frame.filename;
  return typeof file === 'string' && JS_FILE.test(file) && typeof frame.lineno === 'number';
}

export function hasSourcemapImage(debugMeta: unknown): boolean {
  const images = isObject(debugMeta) ? debugMeta.images : undefined;
  return Array.isArray(images) && images.some((image) => isObject(image) && image.type === 'sourcemap');
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
