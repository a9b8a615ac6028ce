/**
 * SDK client reports (`client_report` envelope items): what an SDK dropped before sending, e.g.
 * `{"discarded_events": [{"reason": "ratelimit_backoff", "category": "error", "quantity": 3}]}`.
 * Read leniently and bounded; counted with the server's own drops in the project's stats.
 */
import { isObject } from '../../digest/values.js';

export interface ClientDiscard {
  reason: string;
  category: string;
  quantity: number;
}

const NAME = /^[a-z][a-z0-9_]{0,63}$/;
const MAX_ENTRIES = 100;
const decoder = new TextDecoder();

export function readClientReport(payload: Uint8Array): ClientDiscard[] {
  let report: unknown;
  try {
    report = JSON.parse(decoder.decode(payload));
  } catch {
    return [];
  }
  if (!isObject(report) || !Array.isArray(report.discarded_events)) return [];
  const out: ClientDiscard[] = [];
  for (const entry of report.discarded_events.slice(0, MAX_ENTRIES)) {
    if (!isObject(entry)) continue;
    const { reason, category, quantity } = entry;
    if (typeof reason !== 'string' || typeof category !== 'string' || !NAME.test(reason) || !NAME.test(category)) continue;
    if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity) || quantity <= 0 || quantity > 1_000_000_000) continue;
    out.push({ reason, category, quantity });
  }
  return out;
}
