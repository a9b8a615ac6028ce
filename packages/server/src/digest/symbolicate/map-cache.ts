/**
 * Parsed source maps, kept per artifact file and bounded by the bytes of the maps they came from.
 * Parsing is the cold cost of symbolication (bench: symbolication, cold map); a warm lookup is a
 * binary search. Sources are split into lines and indexed for functions only when a frame needs them.
 */
import { TraceMap, sourceContentFor } from '@jridgewell/trace-mapping';
import { indexFunctions, type FunctionIndex } from './enclosing-function.js';

/** What a minified position maps to, computed once per position (frames repeat: hot code throws often). */
export interface MappedPosition {
  source: string;
  /** The source as people know it (cleanSourcePath). */
  filename: string;
  inApp: boolean;
  line: number;
  column: number;
  name: string | null;
  preContext?: string[];
  contextLine?: string;
  postContext?: string[];
  /** The map has no sourcesContent for this source: no context lines, and names come from the minified code. */
  missingContent?: boolean;
}

export interface ParsedMap {
  map: TraceMap;
  /** Mapped positions by "line:column"; null for a position the map does not cover. */
  positions: Map<string, MappedPosition | null>;
  /** Lines of an original source, split once. */
  lines(source: string): string[] | null;
  functions(source: string): FunctionIndex | null;
  /** Whether some source has no sourcesContent (the minified code is then read for function names). */
  lacksContent: boolean;
  /**
   * Functions of the minified code the map belongs to, read when the map lacks sources: the
   * position of a minified function's name maps to its original name (the map's `names`), as
   * Sentry names frames when it has no original source. undefined until looked for; null if none.
   */
  minified?: FunctionIndex | null;
}

function parsedMap(map: TraceMap): ParsedMap {
  const lines = new Map<string, string[] | null>();
  const functions = new Map<string, FunctionIndex | null>();
  return {
    map,
    lacksContent: map.sources.some((_, i) => typeof map.sourcesContent?.[i] !== 'string'),
    positions: new Map(),
    lines(source) {
      if (!lines.has(source)) {
        const content = sourceContentFor(map, source);
        lines.set(source, content === null ? null : content.split(/\r?\n/));
      }
      return lines.get(source)!;
    },
    functions(source) {
      if (!functions.has(source)) {
        const content = sourceContentFor(map, source);
        functions.set(source, content === null ? null : indexFunctions(content));
      }
      return functions.get(source)!;
    },
  };
}

export class MapCache {
  private readonly entries = new Map<number, { parsed: ParsedMap; bytes: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The parsed map if cached, without parsing. */
  peek(id: number): ParsedMap | undefined {
    const hit = this.entries.get(id);
    if (!hit) return undefined;
    this.entries.delete(id);
    this.entries.set(id, hit);
    return hit.parsed;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The parsed map of artifact file `id`; `content` is parsed on a miss. Throws if it is not a source map. */
  get(id: number, content: () => Uint8Array): ParsedMap {
    const hit = this.entries.get(id);
    if (hit) {
      // Re-inserted: a Map iterates in insertion order, so the first key is the least recently used.
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit.parsed;
    }
    const bytes = content();
    const json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as unknown;
    if (!json || typeof json !== 'object' || (json as { version?: unknown }).version !== 3) {
      throw new Error('not a version 3 source map');
    }
    const parsed = parsedMap(new TraceMap(json as ConstructorParameters<typeof TraceMap>[0]));
    // Parsed maps and split sources take a few times the map's size in memory.
    const cost = bytes.byteLength * 3;
    this.entries.set(id, { parsed, bytes: cost });
    this.bytes += cost;
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.maxBytes || key === id) break;
      this.entries.delete(key);
      this.bytes -= entry.bytes;
    }
    return parsed;
  }
}
