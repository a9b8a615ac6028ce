import { digestEvent } from '../digest/digest.js';
import type { Symbolicator } from '../digest/symbolicate/symbolicator.js';
import { normalizeContext, type IngestBatch, type IngestContext } from './items.js';

/**
 * Symbolicates the events ingest deferred, then digests them: their fingerprint is computed on the
 * original frames. Their payload is the symbolicated event (the frames as sent are kept in it).
 */
export async function finishDeferred(batch: IngestBatch, ctx: IngestContext, symbolicator: Symbolicator): Promise<void> {
  for (const deferred of batch.deferred ?? []) {
    const fetching = symbolicator.symbolicate(ctx.projectId, deferred.raw);
    if (fetching) await fetching;
    const event = digestEvent(deferred.raw, ctx.projectId, normalizeContext(ctx, deferred.envelopeHeaders), undefined, ctx.fingerprintRules);
    batch.events.push(event);
    batch.responseId ??= event.eventId;
  }
  batch.deferred = undefined;
}
