import { userHash } from '../../user-hash.js';
import { sql, type Transaction } from 'kysely';
import { IDENTITY_TAG_KEYS, type DigestedEvent, type RawItem, type WriteOutcome } from '../../types.js';
import { encodePayload, storedPayload } from '../../payload-codec.js';
import type { Tables } from '../tables.js';
import { BatchCounts, type CountedEvent } from './batch-counts.js';
import { lockProjectsShared } from '../merge-lock.js';

const DAY_MS = 86_400_000;
const TAG_CACHE_LIMIT = 200_000;
const EVENT_ROWS_PER_STATEMENT = 4000;
/** The issue an event is counted in, and the issue of its own fingerprint when that was merged away. */
interface IssueTarget {
  issueId: number;
  origin: number | null;
}
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type Tx = Transaction<Tables>;
/** An event with its payload already encoded (outside the transaction). */
export type EncodedEvent = { event: DigestedEvent; payload: Buffer };

export function encodeEvents(events: DigestedEvent[]): EncodedEvent[] {
  return events.map((event) => ({ event, payload: storedPayload(event.payload) }));
}

/**
 * Writes events, their issues, interned tag values and every row derived from them (event tags,
 * per-issue tag counts, hourly counts, distinct users and accounts, issue counters) in the
 * caller's transaction, a statement per table for the whole batch (unnest of parameter arrays).
 * Rows other processes may write too are taken in the order of their keys (see batch-counts.ts).
 */
export class EventWriter {
  /** Interned tag value ids; an id is only cached once its transaction committed. */
  private readonly tagIds = new Map<string, number>();

  forgetTagIds(): void {
    this.tagIds.clear();
  }

  async write(tx: Tx, encoded: EncodedEvent[], raw: RawItem[]): Promise<{ outcomes: WriteOutcome[]; commit: () => void }> {
    await lockProjectsShared(tx, encoded);
    const fresh = new Map<string, number>();
    const tagIds = await this.internTags(tx, encoded, fresh);
    const issueIds = await this.issues(tx, encoded);
    const outcomes: WriteOutcome[] = [];
    const newEvents: Array<EncodedEvent & IssueTarget> = [];
    const seen = new Map<string, number>();
    for (const item of encoded) {
      const e = item.event;
      const { issueId, origin } = issueIds.get(issueKey(e.projectId, e.groupingVersion, e.fingerprint))!;
      const key = `${e.projectId}:${e.eventId}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) outcomes.push({ eventId: e.eventId, issueId: earlier, inserted: false });
      else {
        seen.set(key, issueId);
        outcomes.push({ eventId: e.eventId, issueId, inserted: true });
        newEvents.push({ ...item, issueId, origin });
      }
    }
    const inserted = await this.claimEventIds(tx, newEvents);
    for (const outcome of outcomes) {
      if (!outcome.inserted) continue;
      const existing = inserted.existing.get(outcome.eventId);
      if (existing !== undefined) Object.assign(outcome, { inserted: false, issueId: existing });
    }
    const stored = newEvents.filter((e) => !inserted.existing.has(e.event.eventId));
    const rows = await this.insertEvents(tx, stored);
    const counted: CountedEvent[] = stored.map(({ event, issueId }) => {
      const entry: CountedEvent = {
        projectId: event.projectId, issueId, row: rows.get(`${event.projectId}:${event.eventId}`)!, timestamp: event.timestamp,
        release: event.release, userKey: event.userKey ?? null, accountKey: event.accountKey ?? null, tags: [], identityTags: [],
      };
      for (const [key, value] of event.tags) {
        const valueId = tagIds.get(tagKey(event.projectId, key, value))!;
        (IDENTITY_TAG_KEYS.has(key) ? entry.identityTags : entry.tags).push(valueId);
      }
      return entry;
    });
    if (counted.length > 0) await this.applyCounts(tx, counted);
    await this.writeRaw(tx, raw);
    return {
      outcomes,
      commit: () => {
        if (this.tagIds.size + fresh.size > TAG_CACHE_LIMIT) this.tagIds.clear();
        for (const [k, v] of fresh) this.tagIds.set(k, v);
      },
    };
  }

  private async internTags(tx: Tx, encoded: EncodedEvent[], fresh: Map<string, number>): Promise<Map<string, number>> {
    const ids = new Map<string, number>();
    const missing = new Map<string, [number, string, string]>();
    for (const { event } of encoded) {
      for (const [key, value] of event.tags) {
        const k = tagKey(event.projectId, key, value);
        const cached = this.tagIds.get(k);
        if (cached !== undefined) ids.set(k, cached);
        else missing.set(k, [event.projectId, key, value]);
      }
    }
    if (missing.size === 0) return ids;
    const list = [...missing.values()].sort((a, b) => a[0] - b[0] || byText(a[1], b[1]) || byText(a[2], b[2]));
    const [p, k, v] = [list.map((t) => t[0]), list.map((t) => t[1]), list.map((t) => t[2])];
    await sql`INSERT INTO tag_values (project_id, key, value) SELECT * FROM unnest(${p}::int[], ${k}::text[], ${v}::text[])
      ON CONFLICT DO NOTHING`.execute(tx);
    const found = await sql<{ id: number; project_id: number; key: string; value: string }>`
      SELECT t.id, t.project_id, t.key, t.value FROM tag_values t
      JOIN unnest(${p}::int[], ${k}::text[], ${v}::text[]) AS w(p, k, v) ON t.project_id = w.p AND t.key = w.k AND t.value = w.v`.execute(tx);
    for (const r of found.rows) {
      const key = tagKey(r.project_id, r.key, r.value);
      ids.set(key, r.id);
      fresh.set(key, r.id);
    }
    return ids;
  }

  /** Finds or creates each batch's issue; a fingerprint gets one issue however many processes race. */
  private async issues(tx: Tx, encoded: EncodedEvent[]): Promise<Map<string, IssueTarget>> {
    const first = new Map<string, DigestedEvent>();
    for (const { event } of encoded) {
      const key = issueKey(event.projectId, event.groupingVersion, event.fingerprint);
      if (!first.has(key)) first.set(key, event);
    }
    const list = [...first.values()].sort((a, b) => a.projectId - b.projectId || byText(a.groupingVersion, b.groupingVersion) || byText(a.fingerprint, b.fingerprint));
    const col = <T>(f: (e: DigestedEvent) => T) => list.map(f);
    const keys = sql`unnest(${col((e) => e.projectId)}::int[], ${col((e) => e.groupingVersion)}::text[], ${col((e) => e.fingerprint)}::text[])`;
    if (list.length === 0) return new Map();
    // DO NOTHING waits for a concurrent insert of the same fingerprint to commit, then the SELECT
    // (a new statement, so a new snapshot in READ COMMITTED) sees the winner's row.
    // A new issue's first line of history (docs/triage.md), in the statement that creates it.
    await sql`WITH created AS (INSERT INTO issues (project_id, grouping_version, fingerprint, title, culprit, type, level, first_seen, last_seen, first_release, last_release)
      SELECT * FROM unnest(${col((e) => e.projectId)}::int[], ${col((e) => e.groupingVersion)}::text[], ${col((e) => e.fingerprint)}::text[],
        ${col((e) => e.title)}::text[], ${col((e) => e.culprit)}::text[], ${col((e) => e.type)}::text[], ${col((e) => e.level)}::text[],
        ${col((e) => e.timestamp)}::bigint[], ${col((e) => e.timestamp)}::bigint[], ${col((e) => e.release)}::text[], ${col((e) => e.release)}::text[])
      ON CONFLICT (project_id, grouping_version, fingerprint) DO NOTHING
      RETURNING id, project_id, first_seen, first_release)
      INSERT INTO issue_activity (project_id, issue_id, at, kind, actor_user_id, actor, data)
      SELECT project_id, id, first_seen, 'first_seen', NULL, '', json_build_object('release', first_release)::text FROM created`.execute(tx);
    // merged_into is read after the project's shared merge lock was taken (write(), first
    // statement), so it cannot change before this transaction commits.
    const found = await sql<{ id: number; merged_into: number | null; project_id: number; grouping_version: string; fingerprint: string }>`
      SELECT i.id, i.merged_into, i.project_id, i.grouping_version, i.fingerprint FROM issues i
      JOIN ${keys} AS w(p, g, f) ON i.project_id = w.p AND i.grouping_version = w.g AND i.fingerprint = w.f`.execute(tx);
    return new Map(
      found.rows.map((r) => [
        issueKey(r.project_id, r.grouping_version, r.fingerprint),
        r.merged_into === null ? { issueId: r.id, origin: null } : { issueId: r.merged_into, origin: r.id },
      ]),
    );
  }

  /** Event ids already stored (by an earlier write, or another process just now), with their issue. */
  private async claimEventIds(tx: Tx, events: Array<EncodedEvent & { issueId: number }>) {
    const existing = new Map<string, number>();
    if (events.length === 0) return { existing };
    const list = [...events].sort((a, b) => a.event.projectId - b.event.projectId || byText(a.event.eventId, b.event.eventId));
    const p = list.map((e) => e.event.projectId);
    const ids = list.map((e) => Buffer.from(e.event.eventId, 'hex'));
    const claimed = await sql<{ event_id: Buffer }>`
      INSERT INTO event_ids (project_id, event_id, issue_id, timestamp)
      SELECT * FROM unnest(${p}::int[], ${ids}::bytea[], ${list.map((e) => e.issueId)}::int[], ${list.map((e) => e.event.timestamp)}::bigint[])
      ON CONFLICT DO NOTHING RETURNING event_id`.execute(tx);
    if (claimed.rows.length === list.length) return { existing };
    const mine = new Set(claimed.rows.map((r) => r.event_id.toString('hex')));
    const others = list.filter((e) => !mine.has(e.event.eventId));
    const found = await sql<{ event_id: Buffer; issue_id: number }>`
      SELECT i.event_id, i.issue_id FROM event_ids i
      JOIN unnest(${others.map((e) => e.event.projectId)}::int[], ${others.map((e) => Buffer.from(e.event.eventId, 'hex'))}::bytea[]) AS w(p, id)
        ON i.project_id = w.p AND i.event_id = w.id`.execute(tx);
    for (const r of found.rows) existing.set(r.event_id.toString('hex'), r.issue_id);
    return { existing };
  }

  /**
   * Multi-row VALUES rather than unnest: node-postgres sends a Buffer parameter as binary, while a
   * bytea[] array goes as hex text (twice the bytes, parsed again by the server).
   */
  private async insertEvents(tx: Tx, events: Array<EncodedEvent & IssueTarget>): Promise<Map<string, number>> {
    const rows = new Map<string, number>();
    // 9 parameters a row; PostgreSQL takes at most 65,535 parameters in one statement.
    for (let start = 0; start < events.length; start += EVENT_ROWS_PER_STATEMENT) {
      const chunk = events.slice(start, start + EVENT_ROWS_PER_STATEMENT);
      const values = chunk.map(
        ({ event: e, issueId, origin, payload }) =>
          sql`(${e.projectId}::int, ${e.timestamp}::bigint, ${issueId}::int, ${Buffer.from(e.eventId, 'hex')}::bytea, ${e.received}::bigint,
            ${e.traceId ? Buffer.from(e.traceId, 'hex') : null}::bytea, ${payload}::bytea, ${e.userKey ? userHash(e.userKey) : null}::bigint, ${origin}::int)`,
      );
      const result = await sql<{ project_id: number; event_id: Buffer; row: number }>`
        INSERT INTO events (project_id, timestamp, issue_id, event_id, received, trace_id, payload, user_hash, origin_issue_id)
        VALUES ${sql.join(values)} RETURNING project_id, event_id, row`.execute(tx);
      for (const r of result.rows) rows.set(`${r.project_id}:${r.event_id.toString('hex')}`, r.row);
    }
    return rows;
  }

  private async applyCounts(tx: Tx, events: CountedEvent[]): Promise<void> {
    const counts = new BatchCounts(events);
    const tagged = events
      .flatMap((e) => [...e.tags, ...e.identityTags].map((valueId) => ({ p: e.projectId, v: valueId, t: e.timestamp, r: e.row, i: e.issueId })))
      .sort((a, b) => a.p - b.p || a.v - b.v || a.t - b.t || a.r - b.r);
    if (tagged.length > 0) {
      await sql`INSERT INTO event_tags (project_id, value_id, timestamp, event_row, issue_id)
        SELECT * FROM unnest(${tagged.map((x) => x.p)}::int[], ${tagged.map((x) => x.v)}::int[], ${tagged.map((x) => x.t)}::bigint[],
          ${tagged.map((x) => x.r)}::bigint[], ${tagged.map((x) => x.i)}::int[])`.execute(tx);
    }
    await this.insertValueUsers(tx, events);
    const newUsers = await this.distinct(tx, 'issue_users', 'user_key', counts.distinctRows('users'));
    const newAccounts = await this.distinct(tx, 'issue_accounts', 'account_key', counts.distinctRows('accounts'));
    const itv = counts.issueTagRows();
    if (itv.length > 0) {
      await sql`INSERT INTO issue_tag_values (project_id, issue_id, value_id, count, first_seen, last_seen)
        SELECT * FROM unnest(${itv.map((r) => r.projectId)}::int[], ${itv.map((r) => r.issueId)}::int[], ${itv.map((r) => r.valueId)}::int[],
          ${itv.map((r) => r.count)}::bigint[], ${itv.map((r) => r.first)}::bigint[], ${itv.map((r) => r.last)}::bigint[])
        ON CONFLICT (project_id, issue_id, value_id) DO UPDATE SET count = issue_tag_values.count + excluded.count,
          first_seen = least(issue_tag_values.first_seen, excluded.first_seen), last_seen = greatest(issue_tag_values.last_seen, excluded.last_seen)`.execute(tx);
    }
    await this.updateIssues(tx, counts, newUsers, newAccounts);
    const ih = counts.issueHourRows();
    await sql`INSERT INTO issue_hours (project_id, issue_id, hour, count)
      SELECT * FROM unnest(${ih.map((r) => r.projectId)}::int[], ${ih.map((r) => r.issueId)}::int[], ${ih.map((r) => r.hour)}::int[], ${ih.map((r) => r.count)}::bigint[])
      ON CONFLICT (project_id, issue_id, hour) DO UPDATE SET count = issue_hours.count + excluded.count`.execute(tx);
    const th = counts.tagHourRows();
    if (th.length > 0) {
      await sql`INSERT INTO tag_value_hours (project_id, value_id, hour, count)
        SELECT * FROM unnest(${th.map((r) => r.projectId)}::int[], ${th.map((r) => r.valueId)}::int[], ${th.map((r) => r.hour)}::int[], ${th.map((r) => r.count)}::bigint[])
        ON CONFLICT (project_id, value_id, hour) DO UPDATE SET count = tag_value_hours.count + excluded.count`.execute(tx);
    }
    const ph = counts.projectHourRows();
    await sql`INSERT INTO project_hours (project_id, hour, count)
      SELECT * FROM unnest(${ph.map((r) => r.projectId)}::int[], ${ph.map((r) => r.hour)}::int[], ${ph.map((r) => r.count)}::bigint[])
      ON CONFLICT (project_id, hour) DO UPDATE SET count = project_hours.count + excluded.count`.execute(tx);
  }

  /** Distinct (tag value, user) pairs, with the same hash and condition as events.user_hash, in key order. */
  private async insertValueUsers(tx: Tx, events: CountedEvent[]): Promise<void> {
    const pairs = new Map<string, { p: number; v: number; u: number }>();
    for (const e of events) {
      if (!e.userKey) continue;
      const u = userHash(e.userKey);
      // Identity values (user.*, account.*) are left out: their distributions keep the event scan.
      for (const v of e.tags) pairs.set(`${e.projectId}:${v}:${u}`, { p: e.projectId, v, u });
    }
    if (pairs.size === 0) return;
    const rows = [...pairs.values()].sort((a, b) => a.p - b.p || a.v - b.v || a.u - b.u);
    await sql`INSERT INTO tag_value_users (project_id, value_id, user_hash)
      SELECT * FROM unnest(${rows.map((r) => r.p)}::int[], ${rows.map((r) => r.v)}::int[], ${rows.map((r) => r.u)}::bigint[])
      ON CONFLICT DO NOTHING`.execute(tx);
  }

  /** Inserts distinct (issue, key) rows; returns how many were new per issue (counted once however many processes race). */
  private async distinct(tx: Tx, table: 'issue_users' | 'issue_accounts', column: 'user_key' | 'account_key', rows: Array<{ projectId: number; issueId: number; key: string }>) {
    const added = new Map<number, number>();
    if (rows.length === 0) return added;
    const result = await sql<{ issue_id: number }>`
      INSERT INTO ${sql.table(table)} (project_id, issue_id, ${sql.ref(column)})
      SELECT * FROM unnest(${rows.map((r) => r.projectId)}::int[], ${rows.map((r) => r.issueId)}::int[], ${rows.map((r) => r.key)}::text[])
      ON CONFLICT DO NOTHING RETURNING issue_id`.execute(tx);
    for (const r of result.rows) added.set(r.issue_id, (added.get(r.issue_id) ?? 0) + 1);
    return added;
  }

  /**
   * Issue counters as increments; SET reads the row's values before the update, so a resolved issue
   * reopens (recording this transaction in regressed_xid, for regression alerts). An issue resolved by release (resolved_release_floor set) stays resolved here: only an
   * event of a later release reopens it (release-queries.ts reopenRegressions, after the commit).
   */
  private async updateIssues(tx: Tx, counts: BatchCounts, newUsers: Map<number, number>, newAccounts: Map<number, number>): Promise<void> {
    const rows = counts.issueRows();
    const col = <T>(f: (id: number, d: (typeof rows)[number][1]) => T) => rows.map(([id, d]) => f(id, d));
    // Locked in id order first: UPDATE ... FROM may visit the rows in any order, and two processes
    // updating the same issues in different orders would deadlock.
    await sql`SELECT 1 FROM issues WHERE id = ANY(${col((id) => id)}::int[]) ORDER BY id FOR UPDATE`.execute(tx);
    // An issue this transaction reopened (regressed_xid set to it) gets a line in its history.
    await sql`WITH updated AS (UPDATE issues i SET count = i.count + d.count, user_count = i.user_count + d.new_users,
        account_count = i.account_count + d.new_accounts,
        first_seen = least(i.first_seen, d.min_ts), last_seen = greatest(i.last_seen, d.max_ts),
        first_release = coalesce(i.first_release, d.first_release),
        last_release = CASE WHEN d.last_release IS NOT NULL AND d.last_release_ts >= i.last_seen THEN d.last_release ELSE i.last_release END,
        is_regressed = CASE WHEN i.status = 'resolved' AND i.resolved_release_floor IS NULL THEN true ELSE i.is_regressed END,
        regressed_xid = CASE WHEN i.status = 'resolved' AND i.resolved_release_floor IS NULL THEN pg_current_xact_id() ELSE i.regressed_xid END,
        status = CASE WHEN i.status = 'resolved' AND i.resolved_release_floor IS NULL THEN 'unresolved' ELSE i.status END
      FROM unnest(${col((id) => id)}::int[], ${col((_, d) => d.count)}::bigint[], ${col((id) => newUsers.get(id) ?? 0)}::bigint[],
        ${col((id) => newAccounts.get(id) ?? 0)}::bigint[], ${col((_, d) => d.minTimestamp)}::bigint[], ${col((_, d) => d.maxTimestamp)}::bigint[],
        ${col((_, d) => d.firstRelease)}::text[], ${col((_, d) => d.lastRelease)}::text[],
        ${col((_, d) => (Number.isFinite(d.lastReleaseTimestamp) ? d.lastReleaseTimestamp : 0))}::bigint[])
        AS d(id, count, new_users, new_accounts, min_ts, max_ts, first_release, last_release, last_release_ts)
      WHERE i.id = d.id
      RETURNING i.id, i.project_id, i.regressed_xid, d.last_release)
      INSERT INTO issue_activity (project_id, issue_id, at, kind, actor_user_id, actor, data)
      SELECT project_id, id, ${Date.now()}::bigint, 'regression', NULL, '', json_build_object('reason', 'event', 'release', last_release)::text
      FROM updated WHERE regressed_xid = pg_current_xact_id()`.execute(tx);
  }

  private async writeRaw(tx: Tx, raw: RawItem[]): Promise<void> {
    if (raw.length === 0) return;
    const perDay = new Map<string, { p: number; type: string; day: number; n: number }>();
    for (const item of raw) {
      const day = Math.floor(item.received / DAY_MS);
      const key = `${item.projectId}\u0000${item.type}\u0000${day}`;
      const entry = perDay.get(key);
      if (entry) entry.n++;
      else perDay.set(key, { p: item.projectId, type: item.type, day, n: 1 });
    }
    const days = [...perDay.values()].sort((a, b) => a.p - b.p || byText(a.type, b.type) || a.day - b.day);
    await sql`INSERT INTO item_counts (project_id, type, day, count)
      SELECT * FROM unnest(${days.map((d) => d.p)}::int[], ${days.map((d) => d.type)}::text[], ${days.map((d) => d.day)}::int[], ${days.map((d) => d.n)}::bigint[])
      ON CONFLICT (project_id, type, day) DO UPDATE SET count = item_counts.count + excluded.count`.execute(tx);
    const kept = raw.filter((item) => item.payload !== null);
    if (kept.length === 0) return;
    await sql`INSERT INTO raw_items (project_id, type, received, event_id, trace_id, payload)
      SELECT * FROM unnest(${kept.map((i) => i.projectId)}::int[], ${kept.map((i) => i.type)}::text[], ${kept.map((i) => i.received)}::bigint[],
        ${kept.map((i) => i.eventId)}::text[], ${kept.map((i) => i.traceId)}::text[], ${kept.map((i) => encodePayload(i.payload!))}::bytea[])`.execute(tx);
  }
}

const issueKey = (projectId: number, version: string, fingerprint: string) => `${projectId}\u0000${version}\u0000${fingerprint}`;
const tagKey = (projectId: number, key: string, value: string) => `${projectId}\u0000${key}\u0000${value}`;
