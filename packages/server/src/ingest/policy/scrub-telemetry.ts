/**
 * Server-side scrubbing of spans, trace tags and log records (OTLP and the Sentry transaction /
 * span / log items), with the project's rules (scrub.ts): a span's name and data (attributes, event
 * attributes, a child span's tags), a trace's tags and metadata (a transaction's `tags`, which trace
 * search reads), a log's body and attributes. Each scrubbed record gets a note without the value
 * under SCRUB_NOTE_KEY, as an event gets its `errors` entries (a trace's notes go on the segment span
 * that brought its tags); a note a client sent under that key is dropped first, since only the
 * server writes them.
 */
import type { SpanInput, TelemetryBatch } from '../../store/trace-types.js';
import type { Scrubber, ScrubNote } from './scrub.js';

/** The span data / log attribute holding the scrub notes: `[{path, rule}]`. */
export const SCRUB_NOTE_KEY = 'proliferate.scrubbed';

const SPAN_FIELDS = ['name', 'data'] as const;
const LOG_FIELDS = ['body', 'attributes'] as const;
const ANNOTATION_FIELDS = ['tags', 'metadata'] as const;

const asNotes = (notes: ScrubNote[]) => notes.map((n) => ({ path: n.path, rule: n.rule }));

/** Scrubs the batch in place; returns the rule of each removal (for /metrics). */
export function scrubTelemetry(batch: TelemetryBatch, scrubber: Scrubber): string[] {
  const rules: string[] = [];
  for (const span of batch.spans) {
    delete span.data[SCRUB_NOTE_KEY];
    const record: Record<string, unknown> = { name: span.name, data: span.data };
    const notes = scrubber.scrubFields(record, SPAN_FIELDS);
    if (notes.length === 0) continue;
    span.name = String(record.name);
    span.data = record.data as Record<string, unknown>;
    span.data[SCRUB_NOTE_KEY] = asNotes(notes);
    for (const note of notes) rules.push(note.rule);
  }
  for (const log of batch.logs) {
    delete log.attributes[SCRUB_NOTE_KEY];
    const record: Record<string, unknown> = { body: log.body, attributes: log.attributes };
    const notes = scrubber.scrubFields(record, LOG_FIELDS);
    if (notes.length === 0) continue;
    log.body = String(record.body);
    log.attributes = record.attributes as Record<string, unknown>;
    log.attributes[SCRUB_NOTE_KEY] = asNotes(notes);
    for (const note of notes) rules.push(note.rule);
  }
  for (const annotation of batch.annotations) {
    const record: Record<string, unknown> = { tags: annotation.tags, metadata: annotation.metadata };
    const notes = scrubber.scrubFields(record, ANNOTATION_FIELDS);
    if (notes.length === 0) continue;
    annotation.tags = record.tags as Record<string, string>;
    annotation.metadata = record.metadata as Record<string, string>;
    const segment = segmentOf(batch, annotation.traceId);
    if (segment) segment.data[SCRUB_NOTE_KEY] = [...((segment.data[SCRUB_NOTE_KEY] as unknown[] | undefined) ?? []), ...asNotes(notes)];
    for (const note of notes) rules.push(note.rule);
  }
  return rules;
}

/** The span that brought a trace's tags: the batch's last root or segment span of that trace. */
function segmentOf(batch: TelemetryBatch, traceId: string): SpanInput | undefined {
  for (let i = batch.spans.length - 1; i >= 0; i--) {
    const span = batch.spans[i]!;
    if (span.traceId === traceId && span.rootKind !== 0) return span;
  }
  return undefined;
}
