/**
 * A project's inbound filters on OTLP exports: a resource (one service's spans or logs) whose
 * release (`service.version`) or environment (`deployment.environment.name`, or the older
 * `deployment.environment`) a filter names is left out before mapping. The message filters and
 * the browser-extension filter are about error events and do not apply to spans and logs.
 */
import { isObject } from '../../digest/values.js';
import type { CompiledFilters } from '../policy/filters.js';
import { keyValues } from './otlp-map.js';

const LISTS = { traces: ['resourceSpans', 'scopeSpans', 'spans'], logs: ['resourceLogs', 'scopeLogs', 'logRecords'] } as const;

/** Items (spans or log records) a resource holds. */
function itemCount(resource: Record<string, unknown>, scopesKey: string, itemsKey: string): number {
  let n = 0;
  const scopes = resource[scopesKey];
  for (const scope of Array.isArray(scopes) ? scopes : []) {
    if (isObject(scope) && Array.isArray(scope[itemsKey])) n += (scope[itemsKey] as unknown[]).length;
  }
  return n;
}

/** Removes the filtered resources from the decoded request; returns the items dropped per reason. */
export function filterOtlpResources(request: Record<string, unknown>, signal: 'traces' | 'logs', filters: CompiledFilters | null): Map<string, number> {
  const dropped = new Map<string, number>();
  const [listKey, scopesKey, itemsKey] = LISTS[signal];
  const resources = request[listKey];
  if (!filters || !Array.isArray(resources)) return dropped;
  request[listKey] = resources.filter((entry) => {
    if (!isObject(entry)) return true;
    const attributes = keyValues(isObject(entry.resource) ? entry.resource.attributes : []);
    const environment = attributes['deployment.environment.name'] ?? attributes['deployment.environment'];
    const release = attributes['service.version'];
    const reason = filters.matches({ environment, release });
    if (!reason) return true;
    dropped.set(reason, (dropped.get(reason) ?? 0) + itemCount(entry, scopesKey, itemsKey));
    return false;
  });
  return dropped;
}
