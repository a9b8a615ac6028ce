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
  const source = groupingSource(payload);
  return {
    ...payload,
    eventId: stored.eventId,
    issueId: stored.issueId,
    projectId: stored.projectId,
    timestamp: stored.timestamp,
    received: stored.received,
    title: eventTitle(payload),
    culprit: eventCulprit(payload),
    type: eventKind(payload),
    grouping: { version: GROUPING_VERSION, fingerprint: fingerprintFromSource(source, sha256Hex), source },
  };
}
