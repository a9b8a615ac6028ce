/**
 * Glob patterns of fingerprint rule matchers: `*` any run of characters (slashes included, so
 * `path:**\/vendor/*` and `path:*vendor*` both work), `?` one character, `\` makes the next one
 * literal. Compiled once to an anchored regular expression; user text never becomes regex syntax.
 */
export interface Glob {
  test(value: string): boolean;
}

export function compileGlob(pattern: string, caseless: boolean): Glob {
  if (pattern === '*') return { test: () => true };
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
  if (literal && !caseless) {
    const exact = pattern.replace(/\\(.)/g, '$1');
    return { test: (value) => value === exact };
  }
  const regex = new RegExp(`^${source}$`, caseless ? 'is' : 's');
  return { test: (value) => regex.test(value) };
}

const escapeRegex = (ch: string) => ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
