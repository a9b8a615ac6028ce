/**
 * Alerts with two server processes over one PostgreSQL database (issues 13 and 16): both evaluate
 * rules and deliver notifications, events reach both, and every notification arrives exactly once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { HttpReceiver, waitFor } from '../helpers/alert-receivers.ts';

const SECRET = 'two-processes-secret-0123456789';

async function sendEvent(server: RunningServer, project: { id: number; publicKey: string }, type: string): Promise<void> {
  const response = await fetch(`${server.url}/api/${project.id}/store/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${project.publicKey}` },
    body: JSON.stringify({
      event_id: randomUUID().replace(/-/g, ''),
      timestamp: Date.now() / 1000,
      level: 'error',
      environment: 'production',
      exception: { values: [{ type, value: 'boom', stacktrace: { frames: [{ function: 'work', filename: '/app/jobs.js' }] } }] },
    }),
  });
  assert.equal(response.status, 200, await response.text());
}

describe('alerts with two server processes on one PostgreSQL', () => {
  let db: TestDatabase;
  let first: RunningServer;
  let second: RunningServer;
  const http = new HttpReceiver(SECRET);

  before(async () => {
    db = await createTestDatabase('e2e_alerts_two');
    await http.start();
    const env = { PROLIFERATE_DATABASE_URL: db.url, PROLIFERATE_OUTBOUND_ALLOW_PRIVATE: 'true', PROLIFERATE_ALERT_INTERVAL_MS: '100' };
    first = await startServer({ env });
    second = await startServer({ env, adminToken: first.adminToken });
  });
  after(async () => {
    await second?.stop();
    await first?.stop();
    await http.stop();
    await db?.drop();
  });

  test('new issues sent to both processes: each is announced exactly once, whichever process evaluates or delivers it', async () => {
    const created = await first.api('/api/0/projects/', { body: { name: 'Two processes' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const project = { id: created.body.id as number, publicKey: created.body.publicKey as string };
    const rule = await second.api(`/api/0/projects/${project.id}/alert-rules/`, {
      body: { name: 'New issues', trigger: 'new_issue', throttleMinutes: 0, actions: [{ type: 'webhook', url: http.url('/webhook/two'), secret: SECRET }] },
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    const issues = 24;
    // Each issue's events go to both processes at once, three rounds: new issues race between them.
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: issues }, (_, i) => sendEvent(i % 2 ? first : second, project, `Job${i}Error`)).concat(
        Array.from({ length: issues }, (_, i) => sendEvent(i % 2 ? second : first, project, `Job${i}Error`)),
      ));
    }
    await waitFor('every new issue announced', () => http.to('/webhook/two').length >= issues && true, 30_000);
    // Both processes keep evaluating and delivering for a while: nothing more may arrive.
    await new Promise((r) => setTimeout(r, 2000));
    const posts = http.to('/webhook/two');
    assert.equal(posts.length, issues);
    assert.ok(posts.every((p) => p.signatureValid), 'every delivery signed');
    assert.equal(new Set(posts.map((p) => p.body.issue.title.split(':')[0])).size, issues, 'one notification per issue');
    assert.equal(new Set(posts.map((p) => p.headers['x-proliferate-delivery'])).size, issues, 'no delivery id twice');
    const log = await first.api(`/api/0/alert-rules/${rule.body.id}/deliveries/?limit=100`);
    assert.equal(log.status, 200);
    assert.equal(log.body.attempts.length, issues, 'one attempt per notification');
    assert.ok(log.body.notifications.every((n: { status: string }) => n.status === 'delivered'));
  });
});
