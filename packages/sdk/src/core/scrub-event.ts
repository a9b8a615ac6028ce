/**
 * Applies scrub.ts to a whole event just before it is serialised: extra, contexts, span data,
 * breadcrumb data and URLs, request headers, URL and body. Also what makes the event JSON-safe, so
 * a circular object in extra costs a `[circular]` marker, not the event.
 */
import { normalize, scrubHeaders, stripUrlSecrets, type KeyMatcher } from './scrub.js';
import type { Breadcrumb, Event } from './types.js';

type Json = Record<string, unknown>;

function scrubCrumb(crumb: Breadcrumb, sensitive: KeyMatcher): Breadcrumb {
  if (!crumb.data) return crumb;
  const data = normalize(crumb.data, sensitive) as Json;
  for (const field of ['url', 'from', 'to']) {
    if (typeof data[field] === 'string') data[field] = stripUrlSecrets(data[field] as string, sensitive);
  }
  return { ...crumb, data };
}

function scrubTrace(trace: Json, sensitive: KeyMatcher): Json {
  // the ids stay as they are (a key list would filter `span_id`-like names); only data is user's
  return trace.data ? { ...trace, data: normalize(trace.data, sensitive) } : trace;
}

export function scrubEvent(event: Event, sensitive: KeyMatcher): Event {
  if (event.extra) event.extra = normalize(event.extra, sensitive) as Json;
  if (event.contexts) {
    const contexts: Record<string, Json> = {};
    for (const [name, value] of Object.entries(event.contexts)) {
      if (name === 'trace') contexts[name] = scrubTrace(value, sensitive);
      else if (name === 'session') contexts[name] = value; // our ids, never secrets
      else contexts[name] = normalize(value, sensitive) as Json;
    }
    event.contexts = contexts;
  }
  if (event.user) event.user = normalize(event.user, null) as Event['user'];
  if (event.account) event.account = normalize(event.account, null) as Event['account'];
  if (event.breadcrumbs) event.breadcrumbs = event.breadcrumbs.map((crumb) => scrubCrumb(crumb, sensitive));
  if (event.spans) event.spans = event.spans.map((span) => scrubTrace(span as Json, sensitive));
  if (event.request) {
    const request = { ...event.request };
    if (request.headers) request.headers = scrubHeaders(request.headers, sensitive);
    if (request.url) request.url = stripUrlSecrets(request.url, sensitive);
    if (request.query_string) request.query_string = stripUrlSecrets(`?${request.query_string}`, sensitive).slice(1);
    if (request.data !== undefined) request.data = normalize(request.data, sensitive);
    event.request = request;
  }
  return event;
}
