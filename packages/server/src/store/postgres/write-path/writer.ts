import type { Kysely } from 'kysely';
import type { DigestedEvent, RawItem, WriteOutcome } from '../../types.js';
import type { TelemetryBatch } from '../../trace-types.js';
import type { Tables } from '../tables.js';
import { encodeEvents, EventWriter, type EncodedEvent } from './event-writer.js';
import { GroupCommit } from './group-commit.js';
import { TraceWriter } from './trace-writer.js';

interface WriteInput {
  events: EncodedEvent[];
  raw: RawItem[];
  telemetry: TelemetryBatch[];
}

/** PostgreSQL error codes worth running the same transaction again for. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;
/** Bounds one transaction: its parameter arrays, and how long it holds the row locks other processes wait on. */
const MAX_BATCH_EVENTS = 2000;

/** The write path of one process: group commit over one transaction at a time (README.md). */
export class PostgresWriter {
  private readonly events = new EventWriter();
  private readonly traces = new TraceWriter();
  private readonly group: GroupCommit<WriteInput, WriteOutcome[]>;

  constructor(private readonly db: Kysely<Tables>) {
    this.group = new GroupCommit((inputs) => this.commit(inputs), { maxBatchEvents: MAX_BATCH_EVENTS });
  }

  /** A deletion removed interned tag values: their cached ids must not be used again. */
  forgetTagIds(): void {
    this.events.forgetTagIds();
  }

  write(events: DigestedEvent[], raw: RawItem[], telemetry: TelemetryBatch[]): Promise<WriteOutcome[]> {
    // Compressed before queueing, so no transaction waits on it.
    const input = { events: encodeEvents(events), raw, telemetry };
    return this.group.submit(input, Math.max(1, events.length + raw.length + telemetry.reduce((n, t) => n + t.spans.length + t.logs.length, 0)));
  }

  close(): Promise<void> {
    return this.group.close();
  }

  private async commit(inputs: WriteInput[]): Promise<WriteOutcome[][]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(inputs);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (!code || !RETRYABLE.has(code) || attempt >= MAX_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  private async attempt(inputs: WriteInput[]): Promise<WriteOutcome[][]> {
    const all = inputs.flatMap((i) => i.events);
    const { outcomes, commit } = await this.db.transaction().execute(async (tx) => {
      const written = await this.events.write(tx, all, inputs.flatMap((i) => i.raw));
      const telemetry = inputs.flatMap((i) => i.telemetry).sort((a, b) => a.projectId - b.projectId);
      for (const batch of telemetry) await this.traces.write(tx, batch);
      return written;
    });
    commit();
    const out: WriteOutcome[][] = [];
    let offset = 0;
    for (const input of inputs) {
      out.push(outcomes.slice(offset, offset + input.events.length));
      offset += input.events.length;
    }
    return out;
  }
}
