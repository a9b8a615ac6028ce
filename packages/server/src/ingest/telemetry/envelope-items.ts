import type { Envelope, EnvelopeItem } from '@proliferate/protocol';
import { hexId, isObject } from '../../digest/values.js';
import type { TelemetryBatch } from '../../store/trace-types.js';
import type { IngestContext } from '../items.js';
import { addLogItems, addSpanItems, addTransaction, emptyTelemetry, TelemetryError } from './sentry-items.js';

/** Envelope item types whose content goes to the trace and log tables. */
export const TELEMETRY_TYPES = new Set(['transaction', 'span', 'log']);
const decoder = new TextDecoder();

/**
 * Adds one transaction / span / log item to the request's telemetry. An unreadable item is
 * dropped (and still counted by the caller), the way Sentry drops invalid items without failing
 * the events beside it in the same envelope.
 */
export function addTelemetryItem(
  batch: TelemetryBatch | null,
  item: EnvelopeItem,
  type: string,
  envelope: Envelope,
  ctx: IngestContext,
): TelemetryBatch {
  const out = batch ?? emptyTelemetry(ctx.projectId);
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(item.payload));
  } catch {
    return out;
  }
  if (!isObject(raw)) return out;
  const envelopeTrace = isObject(envelope.headers.trace) ? (hexId(envelope.headers.trace.trace_id) ?? null) : null;
  try {
    if (type === 'transaction') addTransaction(out, raw, ctx.receivedMs);
    else if (type === 'span') addSpanItems(out, raw, ctx.receivedMs);
    else addLogItems(out, raw, ctx.receivedMs, envelopeTrace);
  } catch (error) {
    if (!(error instanceof TelemetryError)) throw error;
  }
  return out;
}
