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
  /** Scrubs the named fields of one record where they are; the notes go to the record `notesOn` names. */
  const scrub = (record: object, fields: readonly string[], notesOn: () => Record<string, unknown> | undefined) => {
    const notes = scrubber.scrubFields(record as Record<string, unknown>, fields);
    if (notes.length === 0) return;
    const holder = notesOn();
    if (holder) holder[SCRUB_NOTE_KEY] = [...(Array.isArray(holder[SCRUB_NOTE_KEY]) ? holder[SCRUB_NOTE_KEY] : []), ...asNotes(notes)];
    for (const note of notes) rules.push(note.rule);
  };
  for (const span of batch.spans) {
    delete span.data[SCRUB_NOTE_KEY];
    scrub(span, SPAN_FIELDS, () => span.data);
  }
  for (const log of batch.logs) {
    delete log.attributes[SCRUB_NOTE_KEY];
    scrub(log, LOG_FIELDS, () => log.attributes);
  }
  for (const annotation of batch.annotations) scrub(annotation, ANNOTATION_FIELDS, () => segmentOf(batch, annotation.traceId)?.data);
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
