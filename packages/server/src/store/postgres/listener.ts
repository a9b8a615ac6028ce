import pg from 'pg';
import { sql, type Kysely, type Transaction } from 'kysely';
import { parseInvalidation, type CacheInvalidation, type InvalidationHub } from '../invalidation.js';

/** The channel every Proliferate process on one database listens on. */
export const INVALIDATION_CHANNEL = 'proliferate_cache';

/** Announces a change to every process; inside a transaction it is delivered only if that commits. */
export async function notifyInvalidation(db: Kysely<any> | Transaction<any>, change: CacheInvalidation): Promise<void> {
  await sql`SELECT pg_notify(${INVALIDATION_CHANNEL}, ${JSON.stringify(change)})`.execute(db);
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/**
 * One dedicated connection per process that LISTENs for invalidations and hands them to the hub.
 * Pooled connections cannot listen (a notification arrives only on the session that listens).
 * When the connection drops, caches are told to drop everything (so they fall back to querying,
 * bounded by their TTL while it is down) and it reconnects with a growing delay; on reconnect they
 * are told again, since notifications sent while it was down were lost.
 */
export class InvalidationListenerConnection {
  private client: pg.Client | null = null;
  private retryMs = RETRY_MIN_MS;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** True while notifications are being received. */
  listening = false;

  constructor(
    private readonly url: string,
    private readonly hub: InvalidationHub,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url });
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel === INVALIDATION_CHANNEL) this.hub.emit(parseInvalidation(message.payload));
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${INVALIDATION_CHANNEL}`);
    } catch {
      this.lost(client);
      return;
    }
    if (this.client !== client) return;
    this.listening = true;
    this.retryMs = RETRY_MIN_MS;
    // Whatever changed while no one was listening is unknown: start over.
    this.hub.emit({ kind: 'everything' });
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    this.listening = false;
    client.end().catch(() => {});
    this.hub.emit({ kind: 'everything' });
    if (this.closed) return;
    this.timer = setTimeout(() => void this.connect(), this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    this.listening = false;
    await client?.end().catch(() => {});
  }
}
