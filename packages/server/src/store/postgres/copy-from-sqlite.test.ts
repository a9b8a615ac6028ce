import { readStoredEvent } from '../../digest/stored-event.js';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../../../../../tests/helpers/postgres.js';
import { cliPath } from '../../../../../tests/helpers/server.js';
import { parseTraceFilter } from '../../query/trace-filter.js';
import { BASE, errorEvent, HOUR } from '../contract.fixtures.js';
import { replaySegment } from '../contract/replay-store.contract.js';
import { SqliteStore } from '../sqlite/store.js';
import type { Store } from '../types.js';
import { PostgresStore } from './store.js';
import { AlertEvaluator } from '../../alerts/evaluator.js';
import Database from 'better-sqlite3';
import { DEFAULT_POLICY } from '../ingest-policy-types.js';
import { COPIED_TABLES, SKIPPED_TABLES } from './copy-from-sqlite.js';

const run = promisify(execFile);
let dir: string;
let db: TestDatabase;
let projectId: number;
const traceId = 'ab'.repeat(16);
const DEBUG_ID = '11111111-2222-3333-4444-555555555555';

/** What the API would show of a store, for comparing two stores holding the same data. */
async function snapshot(store: Store) {
  const issues = (await store.listIssues({ projectId, filter: null, sort: 'freq', limit: 100 })).items;
  const events = (await store.listEvents({ projectId, filter: null, limit: 1000 })).items;
  return {
    projects: await store.listProjects(),
    issues,
    tags: await Promise.all(issues.map((i) => store.issueTagDistribution(i.id, 10))),
    events,
    payload: readStoredEvent((await store.getEvent(projectId, events[0]!.eventId))!),
    trace: await store.getTrace(projectId, traceId),
    traces: (await store.searchTraces({ projectId, filter: parseTraceFilter("tags.env = 'prod'"), order: { field: 'timestamp_ms', direction: 'asc' }, limit: 10 })).items,
    logs: (await store.listLogs({ projectId, limit: 10, order: 'asc' })).items,
    stats: await store.eventStats(projectId, null, { from: BASE, to: BASE + 3 * HOUR, interval: 'hour' }),
    users: await store.projectTagValues(projectId, 'user.id', '', 10),
    releases: await store.listReleases(projectId, 10),
    resolution: await store.issueResolution(issues[0]!.id),
    bundles: await store.listBundles(projectId, 10),
    artifact: await store.artifactByDebugId(projectId, DEBUG_ID, 'source_map'),
    chunks: await store.readChunks(['c'.repeat(40)]),
    replays: await store.listReplays({ projectId, filter: { text: [], fields: [] }, limit: 10 }),
    segments: await store.replaySegments(projectId, 'e'.repeat(32)),
    comments: await Promise.all(issues.map((i) => store.listIssueComments(i.id))),
    snoozes: await Promise.all(issues.map((i) => store.getIssueSnooze(i.id))),
    searches: await store.listSavedSearches(projectId, null),
    alertRules: await store.listAlertRules(projectId),
    outbox: await Promise.all((await store.listAlertRules(projectId)).map((r) => store.outboxForRule(r.id, 100))),
    deliveries: await Promise.all((await store.listAlertRules(projectId)).map((r) => store.deliveryLog(r.id, 100))),
    throttle: (await store.alertThrottleStates(issues.map((i) => ({ ruleId: 1, issueId: i.id })))).sort((a, b) => a.issueId - b.issueId),
    firings: await Promise.all(issues.map((i) => store.issueAlertFirings(i.id))),
    policy: await store.getIngestPolicy(projectId),
    outcomes: (await store.listOutcomes(projectId, 0)).sort((a, b) => a.reason.localeCompare(b.reason)),
    audit: await store.listAudit(10),
    fingerprintRules: await store.getFingerprintRules(projectId),
  };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proliferate-migrate-'));
  db = await createTestDatabase('migrate_from_sqlite');
  const store = new SqliteStore({ dataDir: dir });
  projectId = (await store.createProject({ name: 'Migrated' })).id;
  await store.createToken({ name: 'ci' });
  const events = Array.from({ length: 250 }, (_, i) => errorEvent(projectId, i + 1, `E${i % 4}Error`, (i % 3) * HOUR, { tier: i % 2 ? 'free' : 'pro' }, `u${i % 9}`, '1.0.0'));
  await store.write(events, [], [{
    projectId,
    spans: [{ traceId, spanId: 'cd'.repeat(8), parentSpanId: null, name: 'checkout', op: 'http.server', status: 'ok', startMs: BASE, endMs: BASE + 120, rootKind: 2, data: { 'http.method': 'POST' } }],
    annotations: [{ traceId, tags: { env: 'prod' }, metadata: { user: 'alice' } }],
    logs: [{ timestampMs: BASE + 5, level: 'info', severity: 9, body: 'paid', traceId, spanId: null, attributes: { amount: 3 } }],
  }]);
  await store.upsertRelease(projectId, { version: '1.0.0', commitSha: 'abc1234' });
  await store.addDeploy(projectId, '1.0.0', { environment: 'production', dateFinished: BASE });
  const issueId = (await store.listIssues({ projectId, filter: null, sort: 'freq', limit: 1 })).items[0]!.id;
  await store.resolveIssueInRelease(issueId, { kind: 'release', version: '1.0.0' });
  await store.putChunks([{ checksum: 'c'.repeat(40), data: new Uint8Array([1, 2, 3]) }]);
  const map = { url: '~/app.js.map', type: 'source_map', debugId: DEBUG_ID, sourcemapUrl: null, content: new TextEncoder().encode('{"version":3}') };
  await store.saveBundle({ projectId, checksum: 'd'.repeat(40), release: '1.0.0', dist: null, size: 13, files: [map] }, 1_000_000);
  const segments = [0, 1].map((segmentId) => replaySegment(projectId, 'e'.repeat(32), segmentId, 20, { errorIds: ['1'.repeat(32)] }));
  await store.writeReplaySegments(segments, { maxReplayBytes: 1_000_000, maxSegments: 10 });
  const snoozed = (await store.listIssues({ projectId, filter: null, sort: 'freq', limit: 2 })).items[1]!.id;
  await store.addIssueComment({ issueId, userId: null, author: 'ci', text: 'fixed in 1.0.0' });
  await store.snoozeIssue(snoozed, { events: 100 }, 'ci');
  await store.putFingerprintRules(projectId, 'error.type:ConnectionError -> database-down title="Database down"');
  await store.createSavedSearch({ projectId, name: 'Pro', query: 'tier:pro', sort: null, visibility: 'shared', userId: null, createdBy: 'ci', pinned: true });
  // Alerts: a rule that notified about each issue (outbox + throttle state), one delivery recorded.
  const rule = await store.createAlertRule(projectId, {
    name: 'New issues', trigger: 'new_issue', environments: [], query: '', threshold: null, windowMinutes: null, throttleMinutes: 30, enabled: true,
    actions: [{ type: 'webhook', url: 'https://hooks.example.com/proliferate', secret: 'migrated-secret' }],
  });
  assert.equal(rule.id, 1);
  const evaluator = new AlertEvaluator(store, 'https://errors.example.com');
  while ((await evaluator.runOnce()) > 0);
  const [entry] = await store.outboxForRule(rule.id, 1);
  await store.recordDeliveryAttempts([{
    attempt: { outboxId: entry!.id, ruleId: rule.id, at: BASE, actionType: 'webhook', target: 'https://hooks.example.com/proliferate', ok: true, responseCode: 200, error: null, durationMs: 12 },
    outcome: { status: 'delivered', nextAttemptAt: BASE },
  }]);
  assert.equal((await store.outboxForRule(rule.id, 100)).length, 4);
  // Ingest policy, drop counts and the audit trail.
  await store.putIngestPolicy(projectId, { ...DEFAULT_POLICY, rateLimit: { perMinute: 600, burst: 100 }, filters: { ...DEFAULT_POLICY.filters, releases: ['0.9.*'] } });
  await store.addOutcomes([
    { projectId, hour: BASE, outcome: 'rate_limited', reason: 'project_quota', category: 'error', count: 7 },
    { projectId, hour: BASE, outcome: 'filtered', reason: 'release', category: 'error', count: 2 },
  ]);
  await store.appendAudit({ action: 'project.erase_user', actorUserId: null, actor: 'ci', target: 'user:u1', ip: null, details: { events: 3 } }, BASE);
  await store.close();
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db.drop();
});

test('migrate --from-sqlite copies every table with its ids; the API answers the same; a second run copies nothing twice', async () => {
  const first = await run(process.execPath, [cliPath, 'migrate', '--from-sqlite', dir, '--database-url', db.url]);
  assert.match(first.stdout, /every table has the same number of rows: done/);
  assert.match(first.stdout, /events\s+sqlite\s+250\s+postgres\s+250\s+ok/);
  assert.match(first.stderr, /events\s+\[#+\] 100% 250\/250/);
  const second = await run(process.execPath, [cliPath, 'migrate', '--from-sqlite', dir, '--database-url', db.url]);
  assert.match(second.stdout, /done/);

  const sqlite = new SqliteStore({ dataDir: dir, withWriter: false });
  const postgres = await PostgresStore.open({ url: db.url });
  try {
    assert.deepEqual(await snapshot(postgres), await snapshot(sqlite));
    assert.equal((await postgres.alertEvaluationBatch(100)).events.length, 0, 'copied events are history: the alert cursor is past them');
    // Ids continue after the copied ones.
    const next = await postgres.write([errorEvent(projectId, 9_999, 'NewError', 0, {})], []);
    assert.ok(next[0]!.issueId > Math.max(...(await sqlite.listIssues({ projectId, filter: null, sort: 'freq', limit: 100 })).items.map((i) => i.id)));
    assert.equal((await postgres.listProjects()).length, 1);
    let batch = await postgres.alertEvaluationBatch(100);
    for (const deadline = Date.now() + 20_000; batch.events.length === 0 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      batch = await postgres.alertEvaluationBatch(100);
    }
    assert.deepEqual(batch.events.map((e) => [e.issueId, e.newIssue]), [[next[0]!.issueId, true]], 'an event written after the move is evaluated');
    assert.ok((await postgres.ensureRelease(projectId, '2.0.0', Date.now())) > (await sqlite.ensureRelease(projectId, '1.0.0', 0)), 'release ids too');
  } finally {
    await sqlite.close();
    await postgres.close();
  }
});

test('every SQLite table is either copied by migrate --from-sqlite or listed as deliberately skipped, with its reason', () => {
  const sqlite = new Database(join(dir, 'proliferate.sqlite3'), { readonly: true });
  try {
    const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    assert.ok(tables.length > 40, `the schema was read (${tables.length} tables)`);
    const forgotten = tables.filter((name) => !COPIED_TABLES.includes(name) && SKIPPED_TABLES[name] === undefined);
    assert.deepEqual(forgotten, [], 'add these tables to TABLES in copy-from-sqlite.ts, or to SKIPPED_TABLES with the reason');
    for (const name of COPIED_TABLES) assert.ok(tables.includes(name), `${name} is copied but is no SQLite table`);
    for (const [name, reason] of Object.entries(SKIPPED_TABLES)) {
      assert.ok(tables.includes(name), `${name} is listed as skipped but is no SQLite table`);
      assert.ok(!COPIED_TABLES.includes(name), `${name} is both copied and skipped`);
      assert.ok(reason.length > 20, `${name} is skipped with a reason`);
    }
  } finally {
    sqlite.close();
  }
});

test('migrate without its arguments is a usage error', async () => {
  await assert.rejects(run(process.execPath, [cliPath, 'migrate', '--from-sqlite', dir], { env: { ...process.env, PROLIFERATE_DATABASE_URL: '' } }), (error: { code: number; stderr: string }) => error.code === 2 && /--database-url/.test(error.stderr));
});
