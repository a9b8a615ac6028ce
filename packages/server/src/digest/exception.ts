import { boundedObject, isObject, text, type JsonObject } from './values.js';

const MAX_FRAMES = 250;
const MAX_CHAINED = 10;
const FRAME_TEXT_FIELDS = ['filename', 'abs_path', 'function', 'module', 'context_line', 'platform', 'package', 'raw_function'];

export interface NormalizedFrame extends JsonObject {}
export interface NormalizedException {
  type?: string;
  value?: string;
  module?: string;
  mechanism?: JsonObject;
  stacktrace?: { frames: NormalizedFrame[] };
  /** The frames as the SDK sent them, when symbolication mapped `stacktrace` (Sentry's field). */
  raw_stacktrace?: { frames: NormalizedFrame[] };
}

function normalizeFrame(raw: unknown, full: boolean): NormalizedFrame | undefined {
  if (!isObject(raw)) return undefined;
  const frame: NormalizedFrame = {};
  for (const field of FRAME_TEXT_FIELDS) {
    const value = text(raw[field], 1024);
    if (value !== undefined) frame[field] = value;
  }
  for (const field of ['lineno', 'colno']) {
    const value = raw[field];
    if (typeof value === 'number' && Number.isFinite(value)) frame[field] = value;
  }
  if (typeof raw.in_app === 'boolean') frame.in_app = raw.in_app;
  // Context lines, variables and data are shown, never grouped on: digest leaves them out.
  if (!full) return frame;
  for (const field of ['pre_context', 'post_context']) {
    const lines = raw[field];
    if (Array.isArray(lines)) frame[field] = lines.slice(-10).map((line) => text(line, 1024) ?? '');
  }
  const vars = boundedObject(raw.vars, 4);
  if (vars) frame.vars = vars;
  const data = boundedObject(raw.data, 2);
  if (data) frame.data = data;
  return frame;
}

/** Frames oldest first, as Sentry sends them; a very deep stack keeps the frames nearest the throw. */
export function normalizeFrames(raw: unknown, full = true): NormalizedFrame[] | undefined {
  const frames = isObject(raw) ? raw.frames : undefined;
  if (!Array.isArray(frames)) return undefined;
  return frames
    .slice(-MAX_FRAMES)
    .map((frame) => normalizeFrame(frame, full))
    .filter((f): f is NormalizedFrame => f !== undefined);
}

function normalizeException(raw: unknown, withRaw: boolean): NormalizedException | undefined {
  if (!isObject(raw)) return undefined;
  const out: NormalizedException = {};
  const type = text(raw.type, 256);
  const value = text(raw.value, 8192);
  const module = text(raw.module, 256);
  if (type) out.type = type;
  if (value !== undefined) out.value = value;
  if (module) out.module = module;
  const mechanism = boundedObject(raw.mechanism, 4);
  if (mechanism) out.mechanism = mechanism;
  const frames = normalizeFrames(raw.stacktrace, withRaw);
  if (frames) out.stacktrace = { frames };
  const rawFrames = withRaw ? normalizeFrames(raw.raw_stacktrace) : undefined;
  if (rawFrames) out.raw_stacktrace = { frames: rawFrames };
  return type || value !== undefined || frames ? out : undefined;
}

/**
 * `exception` as `{values: [...]}`, a bare array (legacy) or a single object. The minified frames
 * of a symbolicated exception (`raw_stacktrace`) are only shown, never grouped on: `withRaw` false
 * (digest) skips them.
 */
export function normalizeExceptions(raw: unknown, withRaw = true): NormalizedException[] {
  let values: unknown[] = [];
  if (Array.isArray(raw)) values = raw;
  else if (isObject(raw) && Array.isArray(raw.values)) values = raw.values;
  else if (isObject(raw) && (raw.type || raw.value)) values = [raw];
  return values
    .slice(-MAX_CHAINED)
    .map((value) => normalizeException(value, withRaw))
    .filter((e): e is NormalizedException => e !== undefined);
}

export function normalizeThreads(raw: unknown): JsonObject | undefined {
  const values = Array.isArray(raw) ? raw : isObject(raw) ? raw.values : undefined;
  if (!Array.isArray(values)) return undefined;
  const threads = values.slice(0, 20).flatMap((thread) => {
    if (!isObject(thread)) return [];
    const copy = boundedObject({ ...thread, stacktrace: undefined }, 3) ?? {};
    const frames = normalizeFrames(thread.stacktrace);
    if (frames) copy.stacktrace = { frames };
    return [copy];
  });
  return { values: threads };
}
