/**
 * Source lines around in-app Node frames (5 before, 5 after), read asynchronously after capture
 * so the caller never waits on the disk. Files are cached (LRU of 64) and large files skipped.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Event, Integration, StackFrame } from '../core/index.js';

const CONTEXT = 5;
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_LINE = 200;
const CACHE_SIZE = 64;

const cache = new Map<string, Promise<string[] | null>>();

function readLines(path: string): Promise<string[] | null> {
  const cached = cache.get(path);
  if (cached) {
    cache.delete(path);
    cache.set(path, cached); // most recently used last
    return cached;
  }
  const loading = stat(path)
    .then((info) => (info.size > MAX_FILE_BYTES ? null : readFile(path, 'utf8').then((text) => text.split(/\r?\n/))))
    .catch(() => null);
  cache.set(path, loading);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return loading;
}

const clip = (line: string) => (line.length > MAX_LINE ? line.slice(0, MAX_LINE) + '…' : line);

async function addContext(frame: StackFrame): Promise<void> {
  if (!frame.in_app || !frame.lineno || !frame.filename || !frame.filename.startsWith('/')) return;
  const lines = await readLines(frame.filename);
  if (!lines || frame.lineno > lines.length) return;
  const at = frame.lineno - 1;
  frame.pre_context = lines.slice(Math.max(0, at - CONTEXT), at).map(clip);
  frame.context_line = clip(lines[at]!);
  frame.post_context = lines.slice(at + 1, at + 1 + CONTEXT).map(clip);
}

export function contextLinesIntegration(): Integration {
  return {
    name: 'ContextLines',
    async processEvent(event: Event) {
      const frames = (event.exception?.values ?? []).flatMap((value) => value.stacktrace?.frames ?? []);
      await Promise.all(frames.map(addContext));
      return event;
    },
  };
}
