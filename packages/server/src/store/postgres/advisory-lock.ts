import { sql, type Kysely } from 'kysely';

/** The first key of the two-key advisory lock space for named sections (distinct from migrations' 64-bit key space). */
const NAMED_LOCKS = 0x5072_6f6c; // "Prol"

/**
 * Runs `fn` holding a session advisory lock named `name`, shared by every process on the database.
 * The lock lives on one pooled connection held for the duration; `fn` runs its queries on the pool
 * as usual. A crashed holder's lock is released by PostgreSQL when its connection closes.
 */
export async function withAdvisoryLock<T>(db: Kysely<any>, name: string, fn: () => Promise<T>): Promise<T> {
  return db.connection().execute(async (connection) => {
    await sql`SELECT pg_advisory_lock(${NAMED_LOCKS}::integer, hashtext(${name}))`.execute(connection);
    try {
      return await fn();
    } finally {
      await sql`SELECT pg_advisory_unlock(${NAMED_LOCKS}::integer, hashtext(${name}))`.execute(connection);
    }
  });
}
