/**
 * Seed 000's FastAPI example, end to end with the official Python sentry-sdk: persistent tags at
 * start-up, per-request tags from an HTTP middleware, six concurrent failing requests that finish in
 * reverse order, then a message outside any request. Each event must carry its own request's tags,
 * the request tags must be gone afterwards, and the distribution must match the requests sent.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  getEvent, issueTags, lastJsonLine, listIssueEventIds, listIssues, percentages, runFixture, v1Fingerprint,
  v1MessageFingerprint, type ApiIssue,
  issueWithFingerprint,
} from '../helpers/official-clients.ts';
import { repoRoot, startServer, type RunningServer } from '../helpers/server.ts';

const python = join(repoRoot, '.venv/bin/python');
const fixture = fileURLToPath(new URL('./fixtures/sentry_fastapi_app.py', import.meta.url));
const F = 'sentry_fastapi_app.py';
const ORDER = v1Fingerprint('ValueError', [['parse_order', F], ['load_order', F], ['get_order', F]]);
const MESSAGE = v1MessageFingerprint('nightly settlement finished');

interface SentRequest { order: number; api_version: string; client_type: string }
interface Report { statuses: number[]; requests: SentRequest[]; message: string }

describe('official Python sentry-sdk in the seed 000 FastAPI app with concurrent requests', () => {
  let server: RunningServer;
  let report: Report;
  let issues: ApiIssue[];
  let events: any[];
  const issueBy = (fingerprint: string) => issueWithFingerprint(issues, fingerprint);

  before(async () => {
    assert.ok(existsSync(python), `${python} is missing: run scripts/setup-python.sh`);
    server = await startServer();
    report = lastJsonLine<Report>(await runFixture(python, [fixture], { SENTRY_DSN: server.dsn }, repoRoot));
    issues = await listIssues(server);
    const ids = await listIssueEventIds(server, issueBy(ORDER).id);
    events = await Promise.all(ids.map((id) => getEvent(server, id)));
  });
  after(async () => {
    await server?.stop();
  });

  test('six failing requests make one error issue of six events with the route as culprit, plus the message issue', () => {
    assert.deepEqual(report.statuses, [500, 500, 500, 500, 500, 500]);
    assert.deepEqual(issues.map((i) => i.fingerprint).sort(), [ORDER, MESSAGE].sort());
    assert.equal(issueBy(ORDER).count, 6);
    assert.equal(issueBy(ORDER).culprit, '/orders/{order_id}');
    assert.equal(events.length, 6);
  });

  test("each event carries its own request's middleware tags and the start-up tag", () => {
    const orders = events.map((event) => {
      const order = Number(new URL(event.request.url).pathname.split('/').pop());
      const sent = report.requests.find((r) => r.order === order);
      assert.ok(sent, `unexpected request ${event.request.url}`);
      assert.equal(event.tags.api_version, sent.api_version, `order ${order}`);
      assert.equal(event.tags.client_type, sent.client_type, `order ${order}`);
      assert.equal(event.request.headers['x-client-type'], sent.client_type);
      assert.equal(event.tags.service, 'payment-api');
      assert.equal(event.exception.values.at(-1).mechanism.handled, false);
      return order;
    });
    assert.deepEqual(orders.sort(), report.requests.map((r) => r.order).sort());
  });

  test('after the requests, their tags are gone; the start-up tag stays', async () => {
    const event = await getEvent(server, report.message);
    assert.equal(event.tags.service, 'payment-api');
    assert.equal(event.tags.api_version, undefined);
    assert.equal(event.tags.client_type, undefined);
  });

  test('the tag distribution of the issue matches the requests sent', async () => {
    const tags = await issueTags(server, issueBy(ORDER).id);
    const share = (key: 'api_version' | 'client_type') => {
      const counts: Record<string, number> = {};
      for (const r of report.requests) counts[r[key]] = (counts[r[key]] ?? 0) + 1;
      return Object.fromEntries(Object.entries(counts).map(([v, c]) => [v, Math.round((c / report.requests.length) * 10000) / 100]));
    };
    assert.deepEqual(percentages(tags, 'api_version'), share('api_version'));
    assert.deepEqual(percentages(tags, 'client_type'), share('client_type'));
    assert.deepEqual(percentages(tags, 'api_version'), { v1: 33.33, v2: 66.67 });
    assert.deepEqual(percentages(tags, 'service'), { 'payment-api': 100 });
  });
});
