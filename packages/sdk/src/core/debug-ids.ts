/**
 * Debug IDs for source maps, the way the official SDKs report them: `sentry-cli sourcemaps inject`
 * (and the bundler plugins) put a snippet in each bundle that records
 * `globalThis._sentryDebugIds[new Error().stack] = "<debug id>"`. The stack names the bundle's file,
 * so parsing it maps file -> debug ID; an event lists the IDs of the files in its frames in
 * `debug_meta.images` and the server picks the right source map by ID, with no release or URL.
 */
import { parseStack } from './stack.js';
import type { Event } from './types.js';

let parsed: { size: number; byFile: Map<string, string> } | null = null;

/** File -> debug ID, parsed again only when bundles have registered new IDs. */
export function debugIdsByFile(): Map<string, string> {
  const registry = (globalThis as { _sentryDebugIds?: Record<string, unknown> })._sentryDebugIds;
  if (!registry || typeof registry !== 'object') return new Map();
  const stacks = Object.keys(registry);
  if (parsed && parsed.size === stacks.length) return parsed.byFile;
  const byFile = new Map<string, string>();
  for (const stack of stacks) {
    const debugId = registry[stack];
    if (typeof debugId !== 'string') continue;
    // Frames come oldest first; the snippet's own file is the innermost one with a file name.
    const frames = parseStack(stack);
    for (let i = frames.length - 1; i >= 0; i--) {
      const file = frames[i]!.filename;
      if (file && file !== '<anonymous>') {
        byFile.set(file, debugId);
        break;
      }
    }
  }
  parsed = { size: stacks.length, byFile };
  return byFile;
}

/** Adds `debug_meta.images` ({type: "sourcemap", code_file, debug_id}) for the event's frames. */
export function attachDebugIds(event: Event): void {
  const byFile = debugIdsByFile();
  if (byFile.size === 0 || !event.exception) return;
  const images = new Map<string, string>();
  for (const value of event.exception.values) {
    for (const frame of value.stacktrace?.frames ?? []) {
      const debugId = frame.filename ? byFile.get(frame.filename) : undefined;
      if (debugId && frame.filename) images.set(frame.filename, debugId);
    }
  }
  if (images.size === 0) return;
  const meta = (event.debug_meta ?? {}) as { images?: unknown[] };
  const existing = Array.isArray(meta.images) ? meta.images : [];
  event.debug_meta = {
    ...meta,
    images: [...existing, ...[...images].map(([codeFile, debugId]) => ({ type: 'sourcemap', code_file: codeFile, debug_id: debugId }))],
  };
}
