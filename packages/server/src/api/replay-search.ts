import { HttpError } from '../errors.js';
import type { ReplayFilter } from '../store/replay-types.js';

const KEY = /^[A-Za-z0-9_.:-]{1,32}$/;
const MAX_TERMS = 20;

/**
 * The replay search: whitespace-separated terms, each `key:value` (value optionally in double
 * quotes) or free text. Every term must match. Deliberately smaller than the issue search: replays
 * are searched by who, where and which session, not by statistics.
 */
export function parseReplayQuery(query: string | undefined): ReplayFilter {
  const filter: ReplayFilter = { text: [], fields: [] };
  if (!query) return filter;
  if (query.length > 1000) throw new HttpError(400, 'invalid_query', 'the replay query is longer than 1000 characters');
  const terms = query.match(/(?:[^\s:"]+:)?(?:"[^"]*"|[^\s"]+)|"[^"]*"/g) ?? [];
  if (terms.length > MAX_TERMS) throw new HttpError(400, 'invalid_query', `the replay query has more than ${MAX_TERMS} terms`);
  for (const term of terms) {
    const colon = term.indexOf(':');
    const quoted = term.indexOf('"');
    if (colon > 0 && (quoted === -1 || colon < quoted)) {
      const key = term.slice(0, colon);
      const value = term.slice(colon + 1).replace(/^"(.*)"$/, '$1');
      if (!KEY.test(key)) throw new HttpError(400, 'invalid_query', `"${key.slice(0, 40)}" is not a replay search key`);
      if (value === '' || value.length > 200) throw new HttpError(400, 'invalid_query', `the value of ${key} must be 1 to 200 characters`);
      filter.fields.push({ key, value });
    } else {
      const text = term.replace(/^"(.*)"$/, '$1');
      if (text) filter.text.push(text.slice(0, 200));
    }
  }
  return filter;
}
