import { createHash } from 'node:crypto';
import { fingerprintFromSource, GROUPING_VERSION, groupingSource } from '@proliferate/protocol';
import type { Event } from '../api/contract/models.js';
import type { StoredEvent } from './stored-event.js';
import { eventCulprit, eventKind, eventTitle } from './describe.js';
import type { NormalizedEvent } from './normalize.js';

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * An event as the API shows it: the stored payload plus the fields kept in the event row (id,
 * times) and those derived from the payload (title, culprit, type, grouping). Derivation is
 * deterministic, so it gives what digest computed when the event arrived.
 */
export function eventView(stored: StoredEvent): Event {
  const payload = stored.payload as unknown as NormalizedEvent & Record<string, unknown>;
  // A fingerprint rule that grouped the event is kept with it (digest.ts): recomputing the default
  // here would show a grouping that disagrees with the issue it is in.
  const applied = stored.fingerprintRule;
  const source = applied?.source ?? groupingSource(payload);
  const rule = applied ? { line: applied.line, text: applied.rule, ...(applied.title !== undefined ? { title: applied.title } : {}) } : undefined;
  return {
    ...payload,
    eventId: stored.eventId,
    issueId: stored.issueId,
    projectId: stored.projectId,
    timestamp: stored.timestamp,
    received: stored.received,
    title: applied?.title ?? eventTitle(payload),
    culprit: eventCulprit(payload),
    type: eventKind(payload),
    grouping: { version: GROUPING_VERSION, fingerprint: fingerprintFromSource(source, sha256Hex), source, ...(rule ? { rule } : {}) },
  };
}
