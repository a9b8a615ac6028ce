/**
 * Server-side scrubbing of spans and log records (OTLP and the Sentry span / log items), with the
 * project's rules (scrub.ts): a span's name and data (attributes, event attributes), a log's body
 * and attributes. Each scrubbed record gets a note without the value under SCRUB_NOTE_KEY, as an
 * event gets its `errors` entries; a note a client sent under that key is dropped first, since only
 * the server writes them.
 */
import type { TelemetryBatch } from '../../store/trace-types.js';
import type { Scrubber, ScrubNote } from './scrub.js';

/** The span data / log attribute holding the scrub notes: `[{path, rule}]`. */
export const SCRUB_NOTE_KEY = 'proliferate.scrubbed';

const SPAN_FIELDS = ['name', 'data'] as const;
const LOG_FIELDS = ['body', 'attributes'] as const;

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
  return rules;
}
