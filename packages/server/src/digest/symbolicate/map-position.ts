/**
 * Position mapping: a minified line and column through a parsed source map to the original file,
 * line, column, function name and context lines; each answer is kept on the parsed map, since hot
 * code throws from the same positions again and again.
 */
import { originalPositionFor } from '@jridgewell/trace-mapping';
import type { MappedPosition, ParsedMap } from './map-cache.js';
import { cleanSourcePath } from './urls.js';

const CONTEXT_LINES = 5;
const MAX_LINE = 1000;
const POSITIONS_PER_MAP = 20_000;
const clip = (text: string) => (text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}…` : text);

/**
 * The original position, function (the enclosing original function, else the map's name there)
 * and context lines of a minified 1-based line and column, computed once per position and map.
 */
export function mapPosition(parsed: ParsedMap, line: number, column: number): MappedPosition | null {
  const key = `${line}:${column}`;
  const cached = parsed.positions.get(key);
  if (cached !== undefined) return cached;
  const found = originalPositionFor(parsed.map, { line, column: column - 1 });
  let result: MappedPosition | null = null;
  if (found.source !== null && found.line !== null) {
    const originalColumn = found.column ?? 0;
    result = {
      source: found.source,
      filename: cleanSourcePath(found.source),
      inApp: !/node_modules/.test(found.source),
      line: found.line,
      column: originalColumn,
      name: parsed.functions(found.source)?.nameAt(found.line, originalColumn) ?? minifiedFunctionName(parsed, line, column) ?? found.name ?? null,
    };
    const lines = parsed.lines(found.source);
    if (!lines) result.missingContent = true;
    else if (found.line <= lines.length) {
      result.preContext = lines.slice(Math.max(0, found.line - 1 - CONTEXT_LINES), found.line - 1).map(clip);
      result.contextLine = clip(lines[found.line - 1]!);
      result.postContext = lines.slice(found.line, found.line + CONTEXT_LINES).map(clip);
    }
  }
  if (parsed.positions.size >= POSITIONS_PER_MAP) parsed.positions.clear();
  parsed.positions.set(key, result);
  return result;
}

/**
 * Without the original source, the name of the minified function around the position, mapped
 * through the map: minifiers record each renamed identifier's original name in `names`, so the
 * position of `n` in `function n(r){` maps to `validateCard`.
 */
function minifiedFunctionName(parsed: ParsedMap, line: number, column: number): string | null {
  const enclosing = parsed.minified?.enclosingAt(line, column - 1);
  if (!enclosing) return null;
  return originalPositionFor(parsed.map, { line: enclosing.line, column: enclosing.column }).name ?? null;
}
