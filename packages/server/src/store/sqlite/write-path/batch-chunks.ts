import type { EventWriter } from './event-writer.js';
import type { WriterMessage, WriterResult } from './writer-protocol.js';

export type WriteMessage = Extract<WriterMessage, { kind: 'write' }>;

/**
 * A batch of more requests than this is written in chunks of this many, each a savepoint of the
 * batch's one transaction, and the writer looks for a waiting read between chunks: a read's flush
 * that arrives meanwhile ends the batch early (committed, its requests answered) and is served
 * before the rest. Under overload (hundreds of requests in flight, one event each) a read
 * otherwise waited for the whole batch in progress: flush p50 57 ms, p99 173 ms in the overload
 * bench. 32 events take ~8 ms to write on this machine.
 */
export const CHUNK_REQUESTS = 32;

/**
 * Writes `writes` in one transaction, in chunks of CHUNK_REQUESTS; with `applyDerived` (a close)
 * the gathered rows are applied with the last chunk. Between chunks `readWaiting()` is asked; if
 * it says yes the transaction commits there. Returns an answer per written request and the writes
 * left for later. A chunk that fails fails its own requests only (a savepoint); a commit that
 * fails fails them all.
 */
export function writeBatch(
  writer: EventWriter,
  writes: WriteMessage[],
  applyDerived: boolean,
  readWaiting: () => boolean,
): { results: WriterResult[]; unwritten: WriteMessage[] } {
  if (writes.length <= CHUNK_REQUESTS) return { results: writeChunk(writer, writes, applyDerived), unwritten: [] };
  const results: WriterResult[] = [];
  let next = 0;
  try {
    writer.inOneTransaction(() => {
      while (next < writes.length) {
        const chunk = writes.slice(next, next + CHUNK_REQUESTS);
        next += chunk.length;
        results.push(...writeChunk(writer, chunk, applyDerived && next === writes.length));
        // A close applies everything with the last chunk, so it is never cut short.
        if (!applyDerived && next < writes.length && readWaiting()) break;
      }
    });
  } catch (error) {
    return { results: failed(writes.slice(0, next), error), unwritten: writes.slice(next) };
  }
  return { results, unwritten: writes.slice(next) };
}

/** The writes as one transaction (or one savepoint of the caller's); if it fails, each of them fails. */
function writeChunk(writer: EventWriter, writes: WriteMessage[], applyDerived: boolean): WriterResult[] {
  try {
    const outcomes = writer.write(
      writes.flatMap((w) => w.events),
      writes.flatMap((w) => w.raw),
      writes.flatMap((w) => w.telemetry),
      applyDerived,
      writes[0]?.id ?? 0,
    );
    let offset = 0;
    return writes.map((w) => {
      const own = outcomes.slice(offset, offset + w.events.length);
      offset += w.events.length;
      return { id: w.id, ok: true, outcomes: own };
    });
  } catch (error) {
    return failed(writes, error);
  }
}

function failed(writes: WriteMessage[], error: unknown): WriterResult[] {
  const message = error instanceof Error ? error.message : String(error);
  return writes.map((w) => ({ id: w.id, ok: false, message }));
}
