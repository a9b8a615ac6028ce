import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { digestEvent } from '../../digest/digest.js';
import { normalizeEvent, type NormalizeContext } from '../../digest/normalize.js';
import { readStoredEvent } from '../../digest/stored-event.js';
import { SqliteStore, DATABASE_FILE } from './store.js';

const HOUR = 3_600_000;
const base = Date.UTC(2026, 10, 20, 10, 0, 0);
let dir: string;
let store: SqliteStore;
let projectId: number;

function event(id: number, type: string, offsetMs: number, tags: Record<string, string>, user?: string, release?: string) {
  return digestEvent(
    {
      event_id: id.toString(16).padStart(32, '0'),
      timestamp: (base + offsetMs) / 1000,
      release,
      user: user ? { id: user } : undefined,
      exception: { values: [{ type, value: 'x', stacktrace: { frames: [{ function: 'f', filename: `${type}.js` }] } }] },
      tags,
    },
    projectId,
    { receivedMs: base + offsetMs },
  );
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proliferate-store-'));
  store = new SqliteStore({ dataDir: dir });
  projectId = (await store.createProject({ name: 'Store test' })).id;
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('one batch of many events gives the same counts as events written one by one', async () => {
  const batch = Array.from({ length: 300 }, (_, i) =>
    event(i + 1, i % 3 === 0 ? 'AlphaError' : 'BetaError', (i % 5) * HOUR, { tier: i % 2 ? 'free' : 'enterprise' }, `user-${i % 7}`, `1.0.${i % 4}`),
  );
  const outcomes = await store.write(batch, []);
  assert.equal(outcomes.filter((o) => o.inserted).length, 300);
  // Written again one by one: all duplicates, nothing counted twice.
  for (const e of batch.slice(0, 20)) assert.equal((await store.write([e], []))[0]?.inserted, false);

  const page = await store.listIssues({ projectId, filter: null, sort: 'freq', limit: 10 });
  const [beta, alpha] = page.items;
  assert.equal(beta?.count, 200);
  assert.equal(alpha?.count, 100);
  assert.equal(alpha?.userCount, 7);
  assert.equal(alpha?.firstSeen, new Date(base).toISOString());
  assert.equal(alpha?.lastSeen, new Date(base + 4 * HOUR).toISOString());
  assert.equal(alpha?.firstRelease, '1.0.0');

  const tags = await store.issueTagDistribution(alpha!.id, 10);
  const tier = tags.find((t) => t.key === 'tier')!;
  assert.equal(tier.totalValues, 100);
  assert.deepEqual(tier.values.map((v) => [v.value, v.count]), [['enterprise', 50], ['free', 50]]);

  const range = { from: base, to: base + 5 * HOUR, interval: 'hour' as const };
  const stats = await store.issueStats([alpha!.id, beta!.id], range);
  assert.deepEqual(stats.get(alpha!.id), [20, 20, 20, 20, 20]);
  assert.equal(stats.get(beta!.id)!.reduce((a, b) => a + b, 0), 200);

  const db = new Database(join(dir, DATABASE_FILE), { readonly: true });
  const projectHours = db.prepare('SELECT sum(count) AS n FROM project_hours WHERE project_id = ?').get(projectId) as { n: number };
  const enterpriseHours = db
    .prepare("SELECT sum(h.count) AS n FROM tag_value_hours h JOIN tag_values v ON v.id = h.value_id WHERE v.key = 'tier' AND v.value = 'enterprise'")
    .get() as { n: number };
  db.close();
  assert.equal(projectHours.n, 300);
  assert.equal(enterpriseHours.n, 150);
});

test('a batch that reaches a resolved issue reopens it once and counts every event', async () => {
  const first = await store.write([event(10_001, 'GammaError', 0, {})], []);
  const issueId = first[0]!.issueId;
  await store.setIssueStatus(issueId, 'resolved');
  await store.write([event(10_002, 'GammaError', HOUR, {}), event(10_003, 'GammaError', 2 * HOUR, {})], []);
  const issue = await store.getIssue(issueId);
  assert.equal(issue?.status, 'unresolved');
  assert.equal(issue?.isRegressed, true);
  assert.equal(issue?.count, 3);
});

test('the last release follows the newest event, not the order of arrival', async () => {
  const outcomes = await store.write(
    [event(20_001, 'DeltaError', 2 * HOUR, {}, undefined, '2.0.0'), event(20_002, 'DeltaError', HOUR, {}, undefined, '1.9.0')],
    [],
  );
  const issue = await store.getIssue(outcomes[0]!.issueId);
  assert.equal(issue?.lastRelease, '2.0.0');
  assert.equal(issue?.firstRelease, '2.0.0');
});

test('an event kept as received reads back exactly as normalizing it on arrival gives: address, made-up id, envelope trace', async () => {
  const cases: Array<{ raw: Record<string, unknown>; ctx: NormalizeContext }> = [
    {
      raw: {
        event_id: 'ab'.repeat(16),
        user: { id: 'u1', ip_address: '{{auto}}' },
        breadcrumbs: [{ category: 'http', message: 'GET /', timestamp: base / 1000 - 5, data: { status: 200 } }],
        extra: { cart: { items: 3 } },
        request: { url: 'https://shop.example/checkout', method: 'POST' },
        exception: { values: [{ type: 'KeptError', value: 'as received', stacktrace: { frames: [{ function: 'pay', filename: 'pay.js', in_app: true }] } }] },
      },
      ctx: { receivedMs: base + 5, clientIp: '203.0.113.9' },
    },
    // No id anywhere, an invalid one in the item: ingest makes one up and reports it.
    { raw: { event_id: 'not-an-id', message: 'no id', tags: { 'bad key!': 'x' } }, ctx: { receivedMs: base + 6 } },
    // No trace context in the event: the envelope's dynamic sampling context gives the trace id.
    { raw: { message: 'traced', timestamp: base / 1000 }, ctx: { receivedMs: base + 7, envelopeEventId: 'cd'.repeat(16), envelopeTrace: { trace_id: 'ef'.repeat(16) } } },
  ];
  for (const { raw, ctx } of cases) {
    const json = new TextEncoder().encode(JSON.stringify(raw));
    const digested = digestEvent(JSON.parse(JSON.stringify(raw)) as Record<string, unknown>, projectId, ctx, json);
    await store.write([digested], []);
    const stored = readStoredEvent((await store.getEvent(projectId, digested.eventId))!);
    const { eventId, timestamp, received, ...expected } = normalizeEvent(JSON.parse(JSON.stringify(raw)) as Record<string, unknown>, ctx);
    if (raw.event_id === 'not-an-id') assert.notEqual(eventId, digested.eventId, 'a made-up id is random each time');
    else assert.equal(eventId, digested.eventId);
    assert.equal(new Date(stored!.timestamp).getTime(), timestamp);
    assert.equal(new Date(stored!.received).getTime(), received);
    assert.deepEqual(stored!.payload, JSON.parse(JSON.stringify(expected)));
  }
  const first = readStoredEvent((await store.getEvent(projectId, 'ab'.repeat(16)))!);
  assert.equal((first!.payload.user as Record<string, unknown>).ip_address, '203.0.113.9');
});
