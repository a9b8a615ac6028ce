/**
 * Triage over the HTTP API, on SQLite and on PostgreSQL (docs/triage.md): comments with their team
 * author, snoozes that end by time and by count, saved searches (private and shared), the events of
 * one issue searched with the query language, issue-list counts under a filter checked against a
 * count made here from what was sent, and session_id / window_id / trace_id search.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { createTestDatabase, type TestDatabase } from '../../../tests/helpers/postgres.js';
import { createOwner, inviteAndJoin, type SessionClient } from '../../../tests/helpers/accounts.js';

interface Sent {
  type: string;
  tier: string;
  session: string;
  window: string;
  trace: string;
}

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`triage API (${backend})`, { timeout: 180_000 }, () => {
    let server: RunningServer;
    let db: TestDatabase | undefined;
    const sent: Sent[] = [];
    let owner: SessionClient;
    let member: SessionClient;

    async function send(item: Sent & { user?: string }) {
      const event = {
        event_id: randomUUID().replace(/-/g, ''),
        timestamp: Date.now() / 1000,
        exception: { values: [{ type: item.type, value: 'boom', stacktrace: { frames: [{ function: 'run', filename: `${item.type}.js` }] } }] },
        tags: { tier: item.tier },
        user: item.user ? { id: item.user } : undefined,
        contexts: { session: { id: item.session, window_id: item.window }, trace: { trace_id: item.trace, span_id: randomBytes(8).toString('hex') } },
      };
      const res = await fetch(`${server.url}/api/${server.projectId}/envelope/?sentry_key=${server.publicKey}`, {
        method: 'POST',
        body: `{}\n{"type":"event"}\n${JSON.stringify(event)}\n`,
      });
      assert.equal(res.status, 200);
      sent.push(item);
    }
    const issueOf = async (type: string) => {
      const list = (await server.api(`/api/0/projects/${server.projectId}/issues/?query=${encodeURIComponent(`error.type:${type}`)}`)).body as Array<{ id: number; title: string }>;
      assert.equal(list.length, 1, `one issue of ${type}`);
      return list[0]!;
    };
    const issuesFor = async (query: string) =>
      (await server.api(`/api/0/projects/${server.projectId}/issues/?limit=100&query=${encodeURIComponent(query)}`)).body as Array<{ id: number; count: number; status: string; filtered?: { count: number } }>;

    before(async () => {
      if (backend === 'postgres') db = await createTestDatabase('triage2_api');
      server = await startServer(db ? { env: { PROLIFERATE_DATABASE_URL: db.url } } : {});
      owner = await createOwner(server.url, server.setupUrl!);
      member = await inviteAndJoin(owner, 'member@example.com', 'member', [Number(server.projectId)]);
      // Two sessions, the first with two tabs; two issue types over two tiers.
      const traceA = randomBytes(16).toString('hex');
      const plan: Array<[string, string, string, string, number]> = [
        ['CheckoutError', 'enterprise', 'sess-1', 'win-1a', 3],
        ['CheckoutError', 'free', 'sess-1', 'win-1b', 2],
        ['CheckoutError', 'enterprise', 'sess-2', 'win-2a', 1],
        ['SearchError', 'free', 'sess-2', 'win-2a', 2],
        ['SearchError', 'enterprise', 'sess-1', 'win-1a', 1],
      ];
      for (const [type, tier, session, window, times] of plan) {
        for (let i = 0; i < times; i++) await send({ type, tier, session, window, trace: session === 'sess-1' && window === 'win-1a' ? traceA : randomBytes(16).toString('hex') });
      }
    });
    after(async () => {
      await server?.stop();
      await db?.drop();
    });

    test('the issue list under a tag filter counts matching events, as counted by hand from what was sent', async () => {
      const filtered = await issuesFor('tier:enterprise');
      for (const type of ['CheckoutError', 'SearchError']) {
        const issue = await issueOf(type);
        const row = filtered.find((i) => i.id === issue.id)!;
        assert.equal(row.count, sent.filter((s) => s.type === type).length, `${type}: lifetime count`);
        assert.equal(row.filtered?.count, sent.filter((s) => s.type === type && s.tier === 'enterprise').length, `${type}: enterprise events`);
      }
      // A search on the issue alone (status) matches every event of an issue: no filtered count.
      assert.equal((await issuesFor('is:unresolved'))[0]?.filtered, undefined);
    });

    test('the events of one issue are searchable with the same language and paginated', async () => {
      const issue = await issueOf('CheckoutError');
      const expected = sent.filter((s) => s.type === 'CheckoutError' && s.tier === 'enterprise').length;
      const seen: string[] = [];
      let path: string | null = `/api/0/issues/${issue.id}/events/?limit=2&query=${encodeURIComponent('tier:enterprise')}`;
      let pages = 0;
      while (path) {
        const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.adminToken}` } });
        assert.equal(res.status, 200);
        const page = (await res.json()) as Array<{ eventId: string; issueId: number }>;
        for (const e of page) assert.equal(e.issueId, issue.id);
        seen.push(...page.map((e) => e.eventId));
        const next = res.headers.get('x-next-cursor');
        path = next ? `/api/0/issues/${issue.id}/events/?limit=2&cursor=${encodeURIComponent(next)}&query=${encodeURIComponent('tier:enterprise')}` : null;
        pages++;
      }
      assert.equal(seen.length, expected);
      assert.equal(new Set(seen).size, expected);
      assert.equal(pages, Math.ceil(expected / 2));
      const bad = await server.api(`/api/0/issues/${issue.id}/events/?query=${encodeURIComponent('tier:(')}`);
      assert.equal(bad.status, 400);
    });

    test('session_id, window_id and trace_id search events and issues', async () => {
      const events = async (query: string) =>
        ((await server.api(`/api/0/projects/${server.projectId}/events/?limit=100&query=${encodeURIComponent(query)}`)).body as unknown[]).length;
      assert.equal(await events('session_id:sess-1'), sent.filter((s) => s.session === 'sess-1').length);
      assert.equal(await events('window_id:win-1a'), sent.filter((s) => s.window === 'win-1a').length);
      assert.equal(await events('session_id:sess-2 tier:free'), sent.filter((s) => s.session === 'sess-2' && s.tier === 'free').length);
      const trace = sent.find((s) => s.window === 'win-1a')!.trace;
      assert.equal(await events(`trace_id:${trace}`), sent.filter((s) => s.trace === trace).length);
      const issues = await issuesFor('window_id:win-1b');
      assert.deepEqual(issues.map((i) => i.id), [(await issueOf('CheckoutError')).id]);
      assert.equal(issues[0]!.filtered?.count, sent.filter((s) => s.window === 'win-1b').length);
    });

    test('logs are found by the session_id and window_id their attributes carry, under either name', async () => {
      const now = Date.now() / 1000;
      const attrs = (session: string, window: string, dotted: boolean) =>
        dotted
          ? { 'session.id': { value: session, type: 'string' }, 'window.id': { value: window, type: 'string' } }
          : { session_id: { value: session, type: 'string' }, window_id: { value: window, type: 'string' } };
      const logs = [
        { body: 'cart loaded', attributes: attrs('sess-1', 'win-1a', false) },
        { body: 'payment slow', attributes: attrs('sess-1', 'win-1b', true) },
        { body: 'other session', attributes: attrs('sess-2', 'win-2a', false) },
      ];
      const body = `{}\n{"type":"log","content_type":"application/vnd.sentry.items.log+json"}\n${JSON.stringify({ items: logs.map((l, i) => ({ timestamp: now + i / 1000, level: 'info', ...l })) })}\n`;
      const res = await fetch(`${server.url}/api/${server.projectId}/envelope/?sentry_key=${server.publicKey}`, { method: 'POST', body });
      assert.equal(res.status, 200);
      const bodies = async (params: string) =>
        ((await server.api(`/api/0/projects/${server.projectId}/logs/?${params}`)).body as Array<{ body: string }>).map((l) => l.body).sort();
      assert.deepEqual(await bodies('session_id=sess-1'), ['cart loaded', 'payment slow']);
      assert.deepEqual(await bodies('session_id=sess-1&window_id=win-1b'), ['payment slow']);
      assert.deepEqual(await bodies('window_id=win-2a'), ['other session']);
      assert.deepEqual(await bodies('session_id=nobody'), []);
    });

    test('comments: written, listed with their author, edited, deleted; empty or oversized text is a 400', async () => {
      const issue = await issueOf('CheckoutError');
      const created = await owner.post(`/api/0/issues/${issue.id}/comments/`, { text: 'Looking into it <b>now</b>' });
      assert.equal(created.status, 201);
      assert.equal(created.body.author, 'Olive Owner');
      const byToken = await server.api(`/api/0/issues/${issue.id}/comments/`, { method: 'POST', body: { text: 'deployed a fix' } });
      assert.equal(byToken.status, 201);
      const list = await server.api(`/api/0/issues/${issue.id}/comments/`);
      assert.deepEqual(list.body.map((c: { text: string }) => c.text), ['Looking into it <b>now</b>', 'deployed a fix']);
      assert.equal((await member.put(`/api/0/issues/${issue.id}/comments/${created.body.id}/`, { text: 'not mine' })).status, 403);
      const edited = await owner.put(`/api/0/issues/${issue.id}/comments/${created.body.id}/`, { text: 'Fixed in 1.2' });
      assert.equal(edited.body.text, 'Fixed in 1.2');
      assert.ok(edited.body.updatedAt);
      assert.equal((await owner.delete(`/api/0/issues/${issue.id}/comments/${byToken.body.id}/`)).status, 204);
      assert.equal((await server.api(`/api/0/issues/${issue.id}/comments/`)).body.length, 1);
      const empty = await owner.post(`/api/0/issues/${issue.id}/comments/`, { text: '   ' });
      assert.equal(empty.status, 400);
      assert.equal(empty.body.error.field, 'body.text');
      assert.equal((await owner.post(`/api/0/issues/${issue.id}/comments/`, { text: 'x'.repeat(10_001) })).status, 400);
    });

    test('a snooze until 3 more events: ignored until the third arrives, then unresolved by itself', async () => {
      const issue = await issueOf('SearchError');
      const before = sent.filter((s) => s.type === 'SearchError').length;
      const snoozed = await server.api(`/api/0/issues/${issue.id}/snooze/`, { method: 'PUT', body: { events: 3 } });
      assert.equal(snoozed.status, 200);
      assert.deepEqual([snoozed.body.baseCount, snoozed.body.remainingEvents], [before, 3]);
      assert.ok((await issuesFor('is:ignored')).some((i) => i.id === issue.id));
      assert.ok(!(await issuesFor('is:unresolved')).some((i) => i.id === issue.id));
      for (let i = 0; i < 2; i++) await send({ type: 'SearchError', tier: 'free', session: 'sess-3', window: 'win-3', trace: randomBytes(16).toString('hex') });
      const waiting = await until('two more events counted', () => server.api(`/api/0/issues/${issue.id}/snooze/`), (a) => a.body?.remainingEvents === 1);
      assert.equal(waiting.status, 200);
      assert.equal((await server.api(`/api/0/issues/${issue.id}/`)).body.status, 'ignored');
      await send({ type: 'SearchError', tier: 'free', session: 'sess-3', window: 'win-3', trace: randomBytes(16).toString('hex') });
      await until('the issue to come back', () => server.api(`/api/0/issues/${issue.id}/`), (a) => a.body.status === 'unresolved');
      assert.ok((await issuesFor('is:unresolved')).some((i) => i.id === issue.id));
      assert.equal((await server.api(`/api/0/issues/${issue.id}/snooze/`)).status, 404);
    });

    test('a snooze until a time: ignored until then, unresolved after with nothing sent, and the wake is in the history', async () => {
      const issue = await issueOf('CheckoutError');
      const until_ = new Date(Date.now() + 2_000).toISOString();
      const snoozed = await server.api(`/api/0/issues/${issue.id}/snooze/`, { method: 'PUT', body: { until: until_ } });
      assert.equal(snoozed.status, 200);
      assert.equal(snoozed.body.until, until_);
      assert.ok((await issuesFor('is:ignored')).some((i) => i.id === issue.id));
      await until('the time to pass', async () => Date.now(), (now) => now > Date.parse(until_));
      assert.ok((await issuesFor('is:unresolved')).some((i) => i.id === issue.id), 'back in is:unresolved once the time passed');
      assert.equal((await server.api(`/api/0/issues/${issue.id}/`)).body.status, 'unresolved');
      const history = (await server.api(`/api/0/issues/${issue.id}/activity/`)).body as Array<{ kind: string; actor: string; data: Record<string, unknown> }>;
      const woke = history.find((entry) => entry.kind === 'status' && entry.data.reason === 'snooze_ended');
      assert.ok(woke, `the wake is in the history: ${JSON.stringify(history)}`);
      assert.equal(woke.actor, '', 'recorded by the server');
      assert.equal(woke.data.status, 'unresolved');
    });

    test('a snooze needs a condition; a past time, both minutes and until, or a status set by hand are handled', async () => {
      const issue = await issueOf('CheckoutError');
      const put = (body: unknown) => server.api(`/api/0/issues/${issue.id}/snooze/`, { method: 'PUT', body });
      assert.equal((await put({})).status, 400);
      assert.equal((await put({ until: '2001-01-01T00:00:00Z' })).body.error.field, 'body.until');
      assert.equal((await put({ minutes: 5, until: new Date(Date.now() + 60_000).toISOString() })).status, 400);
      assert.equal((await put({ minutes: 0 })).status, 400);
      assert.equal((await put({ minutes: 60 })).status, 200);
      await server.api(`/api/0/issues/${issue.id}/`, { method: 'PUT', body: { status: 'unresolved' } });
      assert.equal((await server.api(`/api/0/issues/${issue.id}/snooze/`)).status, 404);
      // Sentry's way: status "ignored" with statusDetails.ignoreCount / ignoreDuration / ignoreUserCount.
      const sentryStyle = await server.api(`/api/0/issues/${issue.id}/`, { method: 'PUT', body: { status: 'ignored', statusDetails: { ignoreCount: 5, ignoreDuration: 30 } } });
      assert.equal(sentryStyle.body.status, 'ignored');
      const snooze = (await server.api(`/api/0/issues/${issue.id}/snooze/`)).body;
      assert.equal(snooze.remainingEvents, 5);
      assert.ok(Math.abs(Date.parse(snooze.until) - (Date.now() + 30 * 60_000)) < 60_000);
      const badCount = await server.api(`/api/0/issues/${issue.id}/`, { method: 'PUT', body: { status: 'ignored', statusDetails: { ignoreCount: -1 } } });
      assert.equal(badCount.body.error.field, 'body.statusDetails.ignoreCount');
      assert.equal((await put({ users: 10 })).status, 200);
      assert.equal((await server.api(`/api/0/issues/${issue.id}/snooze/`, { method: 'DELETE' })).status, 204);
      assert.equal((await server.api(`/api/0/issues/${issue.id}/`)).body.status, 'unresolved');
    });

    test('saved searches: shared for the project, private for their author, checked, renamed and deleted', async () => {
      const base = `/api/0/projects/${server.projectId}/searches/`;
      const shared = await server.api(base, { method: 'POST', body: { name: 'Enterprise', query: 'tier:enterprise is:unresolved', sort: 'freq' } });
      assert.equal(shared.status, 201);
      assert.equal(shared.body.visibility, 'shared');
      const bad = await server.api(base, { method: 'POST', body: { name: 'Broken', query: 'tier:(' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.field, 'body.query');
      const mine = await member.post(base, { name: 'My checkout', query: 'error.type:CheckoutError', visibility: 'private' });
      assert.equal(mine.status, 201);
      assert.equal(mine.body.mine, true);
      assert.deepEqual((await member.get(base)).body.map((s: { name: string }) => s.name), ['Enterprise', 'My checkout']);
      assert.deepEqual((await owner.get(base)).body.map((s: { name: string }) => s.name), ['Enterprise'], 'a private search is its author’s only');
      assert.equal((await owner.put(`${base}${mine.body.id}/`, { name: 'taken' })).status, 404);
      assert.equal((await member.put(`${base}${shared.body.id}/`, { name: 'taken' })).status, 403, 'a member may not change a shared search of someone else');
      assert.equal((await member.delete(`${base}${mine.body.id}/`)).status, 204);
      const list = await server.api(base);
      assert.deepEqual(list.body.map((s: { name: string }) => s.name), ['Enterprise']);
      const renamed = await server.api(`${base}${shared.body.id}/`, { method: 'PUT', body: { name: 'Big customers' } });
      assert.equal(renamed.body.name, 'Big customers');
      assert.equal((await server.api(`${base}${shared.body.id}/`, { method: 'DELETE' })).status, 204);
      assert.deepEqual((await server.api(base)).body, []);
    });
  });
}
