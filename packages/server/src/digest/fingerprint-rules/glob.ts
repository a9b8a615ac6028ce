/**
 * Glob patterns of fingerprint rule matchers: `*` any run of characters (slashes included, so
 * `path:**\/vendor/*` and `path:*vendor*` both work), `?` one character, `\` makes the next one
 * literal. Compiled once to an anchored regular expression; user text never becomes regex syntax.
 */
export interface Glob {
  test(value: string): boolean;
  /** The whole value when the pattern has no wildcard: rules gated by it are looked up by value (prefilter.ts). */
  exact?: string;
  /** Text every matching value contains (the pattern's literal part), when there is one: a cheap necessary test. */
  required?: string;
}

/**
 * `caseless`: the pattern is lowercased and the values it is given must be lowercased already
 * (match.ts lowercases each event's paths once, not once per rule).
 */
export function compileGlob(pattern: string, caseless: boolean): Glob {
  if (pattern === '*') return { test: () => true };
  if (caseless) pattern = pattern.toLowerCase();
  let source = '';
  let literal = true;
  let afterStar = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      source += escapeRegex(pattern[++i]!);
    } else if (ch === '*') {
      // `**` is one `*`: it already crosses slashes.
      if (!afterStar) source += '.*';
      literal = false;
      afterStar = true;
      continue;
    } else if (ch === '?') {
      source += '.';
      literal = false;
    } else {
      source += escapeRegex(ch);
    }
    afterStar = false;
  }
  const fast = literalShape(pattern);
  if (fast) return fast;
  if (literal) {
    const exact = pattern.replace(/\\(.)/g, '$1');
    return { test: (value) => value === exact, exact, required: exact };
  }
  const regex = new RegExp(`^${source}$`, 's');
  return { test: (value) => regex.test(value) };
}

const escapeRegex = (ch: string) => ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * The shapes most rules use (`text`, `text*`, `*text`, `*text*`, with `**` as `*`) as string
 * tests: ten `path:**\/node_modules/libN/**` rules over 15-frame events took 66 µs per event as
 * anchored regular expressions and 13 µs as string tests (matching alone, bench/fingerprint-rules.ts
 * events, shared 2-core machine at load 10, so rough figures).
 */
function literalShape(pattern: string): Glob | undefined {
  if (/[?\\]/.test(pattern)) return undefined;
  const core = pattern.replace(/^\*+/, '').replace(/\*+$/, '');
  const leading = pattern.startsWith('*');
  const trailing = pattern.endsWith('*');
  if (core.includes('*') || core === '') return undefined;
  if (leading && trailing) return { test: (v) => v.includes(core), required: core };
  if (leading) return { test: (v) => v.endsWith(core), required: core };
  if (trailing) return { test: (v) => v.startsWith(core), required: core };
  return { test: (v) => v === core, exact: core, required: core };
}
