/**
 * How a frame's URL or path names an uploaded file. sentry-cli uploads files as `~/path` (the path
 * relative to the uploaded directory, `~` standing for any origin), so a frame's
 * `https://cdn.example.com/assets/app.js` or `/srv/app/dist/assets/app.js` is looked up as
 * `~/assets/app.js`, `~/app.js` ... from the longest path to the shortest, plus the URL itself.
 */
const MAX_CANDIDATES = 8;

export function candidateUrls(url: string): string[] {
  const out = [url];
  let path = url;
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(url);
  if (origin) path = url.slice(origin[0].length);
  path = path.replace(/[?#].*$/, '').replace(/\\/g, '/');
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  for (let i = 0; i < segments.length && out.length < MAX_CANDIDATES; i++) out.push(`~/${segments.slice(i).join('/')}`);
  if (segments.length > MAX_CANDIDATES - 1) out.push(`~/${segments[segments.length - 1]}`);
  return [...new Set(out)];
}

/** A map's `Sourcemap` reference resolved against the minified file's URL (`~/a/app.js` + `app.js.map`). */
export function resolveUrl(base: string, reference: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(reference) || reference.startsWith('~/')) return reference;
  if (reference.startsWith('/')) return `~${reference}`;
  const dir = base.slice(0, base.lastIndexOf('/') + 1);
  const parts: string[] = [];
  for (const segment of (dir + reference).split('/')) {
    if (segment === '..') parts.length > 1 && parts.pop();
    else if (segment !== '.') parts.push(segment);
  }
  return parts.join('/');
}

/** `webpack://app/./src/checkout.js` or `../../src/checkout.ts` -> `src/checkout.js`: the path people know. */
export function cleanSourcePath(source: string): string {
  return source
    .replace(/^webpack:\/\/[^/]*\//, '')
    .replace(/^[a-z][a-z0-9+.-]*:\/\/\/?/i, '')
    .replace(/^(\.\.?\/)+/, '')
    .replace(/^\/+/, '');
}
