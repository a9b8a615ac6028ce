/**
 * Alerts end to end: the real server, events through its ingest endpoint, and real receivers (an
 * SMTP server and an HTTP server) started here. Each case uses its own project, so rules of one
 * case never see another's events.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createServer } from 'node:net';
import { cliPath, startServer, type RunningServer } from '../helpers/server.ts';
import { HttpReceiver, SmtpReceiver, waitFor } from '../helpers/alert-receivers.ts';

const SECRET = 'receiver-secret-0123456789';
const ENV_BASE = { PROLIFERATE_OUTBOUND_ALLOW_PRIVATE: 'true', PROLIFERATE_EMAIL_FROM: 'alerts@proliferate.test', PROLIFERATE_ALERT_INTERVAL_MS: '100' };

interface TestProject {
  id: number;
  publicKey: string;
}

async function newProject(server: RunningServer, name: string): Promise<TestProject> {
  const created = await server.api('/api/0/projects/', { body: { name } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { id: created.body.id, publicKey: created.body.publicKey };
}

async function sendEvent(
  server: RunningServer,
  project: TestProject,
  event: { type: string; environment?: string; tags?: Record<string, string>; user?: string },
): Promise<string> {
  const eventId = randomUUID().replace(/-/g, '');
  const payload = {
    event_id: eventId,
    timestamp: Date.now() / 1000,
    platform: 'node',
    level: 'error',
    environment: event.environment ?? 'production',
    release: 'shop@1.4.2',
    tags: event.tags ?? {},
    user: event.user ? { id: event.user } : undefined,
    exception: { values: [{ type: event.type, value: 'checkout failed', stacktrace: { frames: [{ function: 'checkout', filename: '/app/cart.js' }] } }] },
  };
  const response = await fetch(`${server.url}/api/${project.id}/store/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${project.publicKey}` },
    body: JSON.stringify(payload),
  });
  assert.equal(response.status, 200, await response.text());
  return eventId;
}

async function createRule(server: RunningServer, project: TestProject, rule: Record<string, unknown>) {
  const created = await server.api(`/api/0/projects/${project.id}/alert-rules/`, { body: rule });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: number };
}

async function issueId(server: RunningServer, project: TestProject, type: string): Promise<number> {
  return waitFor(`issue ${type}`, async () => {
    const issues = await server.api(`/api/0/projects/${project.id}/issues/?query=${encodeURIComponent(type)}&status=all`);
    return (issues.body as Array<{ id: number; title: string }>).find((i) => i.title.startsWith(type))?.id;
  });
}

/** Lets the evaluator pass everything ingested so far (it runs every 100 ms here). */
const settle = () => new Promise((r) => setTimeout(r, 1500));

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

// Runs on both backends: PROLIFERATE_TEST_STORE=postgres starts every server here on PostgreSQL.
describe('alerts with real receivers', () => {
  let server: RunningServer;
  const http = new HttpReceiver(SECRET);
  const smtp = new SmtpReceiver();

  before(async () => {
    await http.start();
    await smtp.start();
    server = await startServer({ env: { ...ENV_BASE, PROLIFERATE_SMTP_URL: smtp.url } });
  });
  after(async () => {
    await server?.stop();
    await http.stop();
    await smtp.stop();
  });

  test('a new issue in production notifies by e-mail, Slack and signed webhook; one in staging does not', async () => {
    const project = await newProject(server, 'Env filter');
    await createRule(server, project, {
      name: 'New production issues',
      trigger: 'new_issue',
      environments: ['production'],
      actions: [
        { type: 'email', to: ['oncall@example.com'] },
        { type: 'slack', url: http.url('/slack/env') },
        { type: 'webhook', url: http.url('/webhook/env'), secret: SECRET },
      ],
    });
    await sendEvent(server, project, { type: 'StagingOnlyError', environment: 'staging' });
    await sendEvent(server, project, { type: 'ProductionError', environment: 'production', tags: { tier: 'enterprise' } });

    const mail = await waitFor('the e-mail', () => smtp.mails.find((m) => m.raw.includes('ProductionError')));
    assert.deepEqual(mail.to, ['oncall@example.com']);
    assert.equal(mail.from, 'alerts@proliferate.test');
    assert.match(mail.raw, /Subject: \[env-filter\] New issue: ProductionError/);
    assert.match(mail.raw, /Environment\s+production/);
    assert.match(mail.raw, /Release\s+shop@1\.4\.2/);
    assert.match(mail.raw, /tier\s+enterprise \(100%\)/);
    const id = await issueId(server, project, 'ProductionError');
    assert.ok(mail.raw.includes(`/issues/${id}/`), 'the e-mail links to the issue');

    const slack = await waitFor('the Slack message', () => http.to('/slack/env')[0]);
    assert.match(slack.body.text, /New issue: ProductionError/);
    assert.ok(Array.isArray(slack.body.blocks) && slack.body.blocks.length > 0);
    const webhook = await waitFor('the webhook', () => http.to('/webhook/env')[0]);
    assert.equal(webhook.signatureValid, true, 'the receiver verifies X-Proliferate-Signature');
    assert.equal(webhook.body.issue.title.startsWith('ProductionError'), true);
    assert.equal(webhook.body.event.environment, 'production');
    assert.equal(webhook.body.issue.count, 1);
    assert.equal(webhook.headers['x-proliferate-delivery'], String(webhook.body.deliveryId));

    await settle();
    assert.equal(smtp.mails.filter((m) => m.raw.includes('StagingOnlyError')).length, 0);
    assert.equal(http.posts.filter((p) => p.raw.includes('StagingOnlyError')).length, 0);
    assert.equal(http.to('/slack/env').length, 1);
  });

  test('a query filter tier:enterprise notifies for enterprise customers only', async () => {
    const project = await newProject(server, 'Query filter');
    await createRule(server, project, {
      name: 'Enterprise', trigger: 'new_issue', query: 'tier:enterprise', actions: [{ type: 'webhook', url: http.url('/webhook/tier'), secret: SECRET }],
    });
    await sendEvent(server, project, { type: 'FreeTierError', tags: { tier: 'free' } });
    await sendEvent(server, project, { type: 'EnterpriseError', tags: { tier: 'enterprise' } });
    const hook = await waitFor('the enterprise webhook', () => http.to('/webhook/tier')[0]);
    assert.match(hook.body.issue.title, /^EnterpriseError/);
    await settle();
    assert.equal(http.to('/webhook/tier').length, 1);
  });

  test('a resolved issue that comes back notifies a regression rule once', async () => {
    const project = await newProject(server, 'Regression');
    await createRule(server, project, { name: 'Back again', trigger: 'regression', actions: [{ type: 'webhook', url: http.url('/webhook/regression'), secret: SECRET }] });
    await sendEvent(server, project, { type: 'FlakyError' });
    const id = await issueId(server, project, 'FlakyError');
    assert.equal((await server.api(`/api/0/issues/${id}/`, { method: 'PUT', body: { status: 'resolved' } })).status, 200);
    await settle();
    assert.equal(http.to('/webhook/regression').length, 0, 'no regression before it comes back');
    await sendEvent(server, project, { type: 'FlakyError' });
    await sendEvent(server, project, { type: 'FlakyError' });
    const hook = await waitFor('the regression webhook', () => http.to('/webhook/regression')[0]);
    assert.match(hook.body.reason, /Regression/);
    assert.equal(hook.body.issue.id, id);
    await settle();
    assert.equal(http.to('/webhook/regression').length, 1);
  });

  test('frequency 10 in 1 minute: nine events are quiet, the tenth notifies', async () => {
    const project = await newProject(server, 'Frequency');
    await createRule(server, project, {
      name: 'Busy', trigger: 'frequency', threshold: 10, windowMinutes: 1, actions: [{ type: 'slack', url: http.url('/slack/frequency') }],
    });
    for (let i = 0; i < 9; i++) await sendEvent(server, project, { type: 'BusyError' });
    await settle();
    assert.equal(http.to('/slack/frequency').length, 0);
    await sendEvent(server, project, { type: 'BusyError' });
    const slack = await waitFor('the frequency message', () => http.to('/slack/frequency')[0]);
    assert.match(slack.body.text, /10 events in 1 minute/);
  });

  test('throttle: a storm of 50 events sends one notification and counts what it held back', async () => {
    const project = await newProject(server, 'Throttle');
    const rule = await createRule(server, project, {
      name: 'Every event', trigger: 'frequency', threshold: 1, windowMinutes: 5, throttleMinutes: 30,
      actions: [{ type: 'webhook', url: http.url('/webhook/throttle'), secret: SECRET }],
    });
    // The first event notifies; the storm after it falls inside the throttle window. (Sending all 50
    // before the evaluator runs would let one pass stand for all of them, and nothing is held back.)
    await sendEvent(server, project, { type: 'StormError', user: 'user-0' });
    await waitFor('the first notification', () => http.to('/webhook/throttle')[0]);
    for (let i = 1; i < 50; i++) await sendEvent(server, project, { type: 'StormError', user: `user-${i % 7}` });
    const id = await issueId(server, project, 'StormError');
    const firings = await waitFor('all 49 later events counted as held back', async () => {
      const res = await server.api(`/api/0/issues/${id}/alert-firings/`);
      return res.body[0]?.suppressed === 49 ? res.body : undefined;
    });
    assert.equal(firings.length, 1);
    assert.equal(firings[0].ruleId, rule.id);
    await settle();
    assert.equal(http.to('/webhook/throttle').length, 1);
  });

  test('receiver down then up: delivered once, every attempt logged', async () => {
    const project = await newProject(server, 'Retry');
    const port = await freePort();
    const rule = await createRule(server, project, {
      name: 'Retry', trigger: 'new_issue', actions: [{ type: 'webhook', url: `http://127.0.0.1:${port}/webhook/retry`, secret: SECRET }],
    });
    await sendEvent(server, project, { type: 'RetryError' });
    await waitFor('two failed attempts', async () => {
      const log = await server.api(`/api/0/alert-rules/${rule.id}/deliveries/`);
      return log.body.attempts.length >= 2;
    });
    const late = await new HttpReceiver(SECRET).start(port);
    try {
      await waitFor('the late delivery', () => late.to('/webhook/retry')[0], 20_000);
      await settle();
      assert.equal(late.to('/webhook/retry').length, 1);
      assert.equal(late.posts[0]!.signatureValid, true);
      const log = await server.api(`/api/0/alert-rules/${rule.id}/deliveries/`);
      const attempts = [...log.body.attempts].reverse();
      assert.ok(attempts.length >= 3);
      assert.ok(attempts.slice(0, -1).every((a: any) => !a.ok && a.responseCode === null && /ECONNREFUSED/.test(a.error)));
      assert.deepEqual([attempts.at(-1).ok, attempts.at(-1).responseCode], [true, 200]);
      assert.equal(log.body.notifications[0].status, 'delivered');
    } finally {
      await late.stop();
    }
  });

  test('invalid rules get 400 naming the field', async () => {
    const project = await newProject(server, 'Validation');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ trigger: 'new_issue', actions: [{ type: 'slack', url: 'https://hooks.example.com/x' }] }, 'name'],
      [{ name: 'x', trigger: 'sometimes', actions: [] }, 'trigger'],
      [{ name: 'x', trigger: 'frequency', windowMinutes: 1, actions: [] }, 'threshold'],
      [{ name: 'x', trigger: 'users', threshold: 5, actions: [] }, 'windowMinutes'],
      [{ name: 'x', trigger: 'new_issue', query: 'times_seen:>many', actions: [{ type: 'slack', url: 'https://h.example.com/' }] }, 'query'],
      [{ name: 'x', trigger: 'new_issue', actions: [{ type: 'webhook', url: 'ftp://h.example.com/' , secret: SECRET }] }, 'actions[0].url'],
      [{ name: 'x', trigger: 'new_issue', actions: [{ type: 'webhook', url: 'https://h.example.com/', secret: 'short' }] }, 'actions[0].secret'],
      [{ name: 'x', trigger: 'new_issue', actions: [{ type: 'email', to: ['not an address'] }] }, 'actions[0].to[0]'],
      [{ name: 'x', trigger: 'new_issue', throttleMinutes: -1, actions: [{ type: 'teams', url: 'https://h.example.com/' }] }, 'throttleMinutes'],
    ];
    for (const [body, field] of cases) {
      const response = await server.api(`/api/0/projects/${project.id}/alert-rules/`, { body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.body.error.field, field, JSON.stringify(response.body));
    }
  });

  test('a project-scoped token sees and edits only its own project\'s rules', async () => {
    const mine = await newProject(server, 'Mine');
    const theirs = await newProject(server, 'Theirs');
    const theirRule = await createRule(server, theirs, { name: 'theirs', trigger: 'new_issue', actions: [{ type: 'discord', url: http.url('/discord') }] });
    const token = execFileSync(process.execPath, [cliPath, 'token', 'create', '--project', String(mine.id), '--data-dir', server.dataDir], {
      env: { ...process.env, ...server.storeEnv },
    }).toString().trim();
    const own = await server.api(`/api/0/projects/${mine.id}/alert-rules/`, { token, body: { name: 'mine', trigger: 'new_issue', actions: [{ type: 'teams', url: http.url('/teams') }] } });
    assert.equal(own.status, 201);
    assert.equal((await server.api(`/api/0/projects/${mine.id}/alert-rules/`, { token })).body.length, 1);
    assert.equal((await server.api(`/api/0/projects/${theirs.id}/alert-rules/`, { token })).status, 404);
    assert.equal((await server.api(`/api/0/alert-rules/${theirRule.id}/`, { token })).status, 404);
    assert.equal((await server.api(`/api/0/alert-rules/${theirRule.id}/`, { token, method: 'DELETE' })).status, 404);
    assert.equal((await server.api(`/api/0/alert-rules/${own.body.id}/`, { token, method: 'DELETE' })).status, 204);
  });

  test('send test delivers a sample to Discord and Teams shaped receivers', async () => {
    const project = await newProject(server, 'Test send');
    const rule = await createRule(server, project, {
      name: 'Chat', trigger: 'new_issue', actions: [{ type: 'discord', url: http.url('/discord/test') }, { type: 'teams', url: http.url('/teams/test') }],
    });
    const sent = await server.api(`/api/0/alert-rules/${rule.id}/test/`, { method: 'POST', body: {} });
    assert.equal(sent.status, 200);
    assert.equal(sent.body.ok, true);
    const discord = http.to('/discord/test')[0]!;
    assert.match(discord.body.embeds[0].title, /\[test\]/);
    assert.deepEqual(discord.body.allowed_mentions, { parse: [] });
    const teams = http.to('/teams/test')[0]!;
    assert.equal(teams.body.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
  });
});

describe('alerts across a crash', () => {
  test('SIGKILL after the ack and before delivery: delivered exactly once after restart', async () => {
    const http = await new HttpReceiver(SECRET).start();
    // Evaluation every 5 s: the kill lands after the ack and before the first pass.
    let server = await startServer({ env: { ...ENV_BASE, PROLIFERATE_ALERT_INTERVAL_MS: '5000' } });
    try {
      const project = await newProject(server, 'Crash');
      await createRule(server, project, { name: 'Crash', trigger: 'new_issue', actions: [{ type: 'webhook', url: http.url('/webhook/crash'), secret: SECRET }] });
      await sendEvent(server, project, { type: 'CrashError' });
      await server.kill('SIGKILL');
      assert.equal(http.posts.length, 0, 'nothing was delivered before the kill');
      server = await startServer({ dataDir: server.dataDir, adminToken: server.adminToken, env: ENV_BASE });
      const hook = await waitFor('the delivery after restart', () => http.to('/webhook/crash')[0]);
      assert.equal(hook.signatureValid, true);
      assert.match(hook.body.issue.title, /^CrashError/);
      await settle();
      assert.equal(http.to('/webhook/crash').length, 1);
    } finally {
      await server.stop();
      rmSync(server.dataDir, { recursive: true, force: true }); // given to the restart, so stop() keeps it
      await http.stop();
    }
  });
});
