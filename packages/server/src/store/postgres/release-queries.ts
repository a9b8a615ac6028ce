import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  Deploy, DeployInput, IssueReleaseResolution, IssueResolution, Release, ReleaseInput, ReleaseSummary,
} from '../release-types.js';
import type { AllTables, ReleaseTables } from './release-tables.js';
import { isStoredId } from './search-sql.js';
import { type RegressionActivityTables, recordReleaseRegression } from '../triage/issue-workflow-queries.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

type ReleaseRow = Selectable<ReleaseTables['releases']>;
type DeployRow = Selectable<ReleaseTables['deploys']>;

const toRelease = (r: ReleaseRow): Release => ({
  id: r.id,
  projectId: r.project_id,
  version: r.version,
  createdAt: iso(r.created_at)!,
  dateReleased: iso(r.date_released),
  commitSha: r.commit_sha,
  repositoryUrl: r.repository_url,
  url: r.url,
});

const toDeploy = (d: DeployRow): Deploy => ({
  id: d.id,
  environment: d.environment,
  name: d.name,
  url: d.url,
  dateStarted: iso(d.date_started),
  dateFinished: iso(d.date_finished)!,
});

/**
 * Releases, deploys and resolution by release on PostgreSQL: sqlite/release-queries.ts with the
 * differences several processes over one database need. Release figures come from the tag tables.
 *
 * A release-resolved issue keeps status 'resolved' with resolved_release_floor set, and the event
 * writer (which reopens a resolved issue in the transaction adding events to it) leaves such an
 * issue alone: reopenRegressions decides, comparing releases.
 */
export class ReleaseQueries {
  constructor(private readonly db: Kysely<AllTables>) {}

  async upsertRelease(projectId: number, input: ReleaseInput): Promise<Release> {
    const now = Date.now();
    const updates: Partial<Omit<ReleaseRow, 'id'>> = {};
    if (input.dateReleased !== undefined) updates.date_released = input.dateReleased;
    if (input.commitSha !== undefined) updates.commit_sha = input.commitSha;
    if (input.repositoryUrl !== undefined) updates.repository_url = input.repositoryUrl;
    if (input.url !== undefined) updates.url = input.url;
    await this.db
      .insertInto('releases')
      .values({ project_id: projectId, version: input.version, created_at: now, ...updates })
      .onConflict((oc) => (Object.keys(updates).length ? oc.columns(['project_id', 'version']).doUpdateSet(updates) : oc.doNothing()))
      .execute();
    return toRelease((await this.releaseRow(projectId, input.version))!);
  }

  /**
   * Two processes naming a new release at once: the second INSERT waits on the first one's unique
   * index entry, then does nothing; the SELECT after it (a new snapshot under READ COMMITTED) sees
   * the committed row, so both return one id.
   */
  async ensureRelease(projectId: number, version: string, seenAt: number): Promise<number> {
    const inserted = await this.db
      .insertInto('releases')
      .values({ project_id: projectId, version, created_at: seenAt })
      .onConflict((oc) => oc.columns(['project_id', 'version']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted?.id ?? (await this.releaseRow(projectId, version))!.id;
  }

  private releaseRow(projectId: number, version: string) {
    return this.db.selectFrom('releases').selectAll().where('project_id', '=', projectId).where('version', '=', version).executeTakeFirst();
  }

  async getRelease(projectId: number, version: string): Promise<ReleaseSummary | undefined> {
    const row = await this.releaseRow(projectId, version);
    return row ? this.summarize(row) : undefined;
  }

  async listReleases(projectId: number, limit: number, query?: string): Promise<ReleaseSummary[]> {
    let q = this.db.selectFrom('releases').selectAll().where('project_id', '=', projectId);
    // Substring match with LIKE's wildcards escaped: the same SQL on every backend.
    if (query) q = q.where(sql<boolean>`version LIKE ${`%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} ESCAPE '\\'`);
    const rows = await q.orderBy('id', 'desc').limit(limit).execute();
    return Promise.all(rows.map((row) => this.summarize(row)));
  }

  /**
   * Counts from the write-time tables: the release tag's hourly counts (events), its per-issue rows
   * (first and last event), issues whose first release it is, and distinct user hashes of its events.
   */
  private async summarize(row: ReleaseRow): Promise<ReleaseSummary> {
    const tag = await this.db
      .selectFrom('tag_values')
      .select('id')
      .where('project_id', '=', row.project_id)
      .where('key', '=', 'release')
      .where('value', '=', row.version)
      .executeTakeFirst();
    const [counts, span, users, newIssues, deploys] = await Promise.all([
      tag
        ? this.db
            .selectFrom('tag_value_hours')
            .select(sql<number>`coalesce(sum(count), 0)`.as('n'))
            .where('project_id', '=', row.project_id)
            .where('value_id', '=', tag.id)
            .executeTakeFirstOrThrow()
        : { n: 0 },
      tag
        ? this.db
            .selectFrom('issue_tag_values')
            .select([sql<number | null>`min(first_seen)`.as('first'), sql<number | null>`max(last_seen)`.as('last')])
            .where('project_id', '=', row.project_id)
            .where('value_id', '=', tag.id)
            .executeTakeFirstOrThrow()
        : { first: null, last: null },
      tag
        ? this.db
            .selectFrom('event_tags as et')
            // The time joins too: it prunes events to the partitions holding the tag's rows.
            .innerJoin('events as e', (j) => j.onRef('e.project_id', '=', 'et.project_id').onRef('e.row', '=', 'et.event_row').onRef('e.timestamp', '=', 'et.timestamp'))
            .select(sql<number>`count(DISTINCT e.user_hash)`.as('n'))
            .where('et.project_id', '=', row.project_id)
            .where('et.value_id', '=', tag.id)
            .executeTakeFirstOrThrow()
        : { n: 0 },
      this.db
        .selectFrom('issues')
        .select(sql<number>`count(*)`.as('n'))
        .where('project_id', '=', row.project_id)
        .where('first_release', '=', row.version)
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom('deploys')
        .selectAll()
        .where('project_id', '=', row.project_id)
        .where('release_id', '=', row.id)
        .orderBy('date_finished', 'desc')
        .limit(50)
        .execute(),
    ]);
    return {
      ...toRelease(row),
      firstEvent: iso(span.first),
      lastEvent: iso(span.last),
      eventCount: Number(counts.n),
      newIssues: Number(newIssues.n),
      users: Number(users.n),
      deploys: deploys.map(toDeploy),
    };
  }

  async releaseNewIssueIds(projectId: number, version: string, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('issues')
      .select('id')
      .where('project_id', '=', projectId)
      .where('first_release', '=', version)
      .orderBy('first_seen', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  async addDeploy(projectId: number, version: string, input: DeployInput): Promise<Deploy | undefined> {
    const release = await this.releaseRow(projectId, version);
    if (!release) return undefined;
    const row = await this.db
      .insertInto('deploys')
      .values({
        project_id: projectId,
        release_id: release.id,
        environment: input.environment,
        name: input.name ?? null,
        url: input.url ?? null,
        date_started: input.dateStarted ?? null,
        date_finished: input.dateFinished ?? Date.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toDeploy(row);
  }

  async listDeploys(projectId: number, version: string): Promise<Deploy[] | undefined> {
    const release = await this.releaseRow(projectId, version);
    if (!release) return undefined;
    const rows = await this.db
      .selectFrom('deploys')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('release_id', '=', release.id)
      .orderBy('date_finished', 'desc')
      .execute();
    return rows.map(toDeploy);
  }

  async resolveIssueInRelease(issueId: number, resolution: IssueResolution): Promise<IssueReleaseResolution | undefined> {
    if (!isStoredId(issueId)) return undefined;
    const issue = await this.db.selectFrom('issues').select(['id', 'project_id']).where('id', '=', issueId).executeTakeFirst();
    if (!issue) return undefined;
    let floor: number;
    let version: string | null;
    if (resolution.kind === 'release') {
      const release = await this.releaseRow(issue.project_id, resolution.version);
      if (!release) return undefined;
      floor = release.id;
      version = release.version;
    } else {
      const latest = await this.db
        .selectFrom('releases')
        .select(['id', 'version'])
        .where('project_id', '=', issue.project_id)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      floor = latest?.id ?? 0;
      version = latest?.version ?? null;
    }
    await this.db
      .updateTable('issues')
      .set({
        status: 'resolved',
        is_regressed: false,
        resolution_kind: resolution.kind,
        resolved_in_release: version,
        resolved_release_floor: floor,
      })
      .where('id', '=', issueId)
      .execute();
    return { kind: resolution.kind, version };
  }

  async issueResolution(issueId: number): Promise<IssueReleaseResolution | null> {
    if (!isStoredId(issueId)) return null;
    const row = await this.db
      .selectFrom('issues')
      .select(['status', 'resolution_kind', 'resolved_in_release'])
      .where('id', '=', issueId)
      .executeTakeFirst();
    if (!row || row.status !== 'resolved' || !row.resolution_kind) return null;
    return { kind: row.resolution_kind as IssueReleaseResolution['kind'], version: row.resolved_in_release };
  }

  async releaseResolvedIssues(): Promise<Map<number, number>> {
    const rows = await this.db
      .selectFrom('issues')
      .select(['id', 'resolved_release_floor'])
      .where('status', '=', 'resolved')
      .where('resolved_release_floor', 'is not', null)
      .execute();
    return new Map(rows.map((r) => [r.id, r.resolved_release_floor!]));
  }

  /**
   * An event without a release never reopens an issue resolved by release: like Sentry, it is taken
   * to come from before releases were configured. The floor in the WHERE clause makes a concurrent
   * re-resolution win over a stale hit: under READ COMMITTED an UPDATE that finds its row changed
   * by a transaction that committed meanwhile re-checks the WHERE clause on the new row version.
   */
  async reopenRegressions(hits: Array<{ issueId: number; releaseId: number | null }>): Promise<number[]> {
    const reopened: number[] = [];
    for (const { issueId, releaseId } of hits) {
      if (releaseId === null) continue;
      // The reopening and its line in the issue's history (docs/triage.md) commit together.
      const done = await this.db.transaction().execute(async (tx) => {
        const result = await tx
          .updateTable('issues')
          .set({
            status: 'unresolved',
            is_regressed: true,
            resolution_kind: null,
            resolved_in_release: null,
            resolved_release_floor: null,
            // Alerts: a regression rule fires on the issue's next event (alerts/README.md).
            regressed_xid: sql<string>`pg_current_xact_id()`,
          })
          .where('id', '=', issueId)
          .where('status', '=', 'resolved')
          .where('resolved_release_floor', '<', releaseId)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        await recordReleaseRegression(tx as unknown as Kysely<RegressionActivityTables>, issueId, releaseId);
        return true;
      });
      if (done) reopened.push(issueId);
    }
    return reopened;
  }
}
