/**
 * Traces from the official Sentry clients: @sentry/node 10 (transactions), @sentry/node 11 with
 * traceLifecycle "static" (transactions) and by default (span v2 streaming), and Python's
 * sentry-sdk (transactions). Each run makes two traces, flag_variant a (fails, with an error
 * event) and b. The server assembles the traces, joins errors and logs by trace id, and reports
 * the error rate per variant.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { lastJsonLine, runFixture } from '../helpers/official-clients.ts';
import { repoRoot, startServer, type RunningServer } from '../helpers/server.ts';

interface Run {
  traces: Array<{ traceId: string; eventId?: string | null; variant: 'a' | 'b' }>;
}

const testsDir = join(repoRoot, 'tests');
const python = join(repoRoot, '.venv/bin/python');
const CLIENTS = [
  { name: '@sentry/node 10 (transaction)', command: process.execPath, args: ['e2e/fixtures/sentry-node-traces.mjs', '@sentry/node', 'default'], tags: true, logs: true },
  { name: '@sentry/node 11 static (transaction)', command: process.execPath, args: ['e2e/fixtures/sentry-node-traces.mjs', 'sentry-node-11', 'static'], tags: true, logs: true },
  { name: '@sentry/node 11 stream (span v2)', command: process.execPath, args: ['e2e/fixtures/sentry-node-traces.mjs', 'sentry-node-11', 'default'], tags: false, logs: true },
  { name: 'Python sentry-sdk (transaction)', command: python, args: ['e2e/fixtures/sentry_python_traces.py'], tags: true, logs: false },
];

let server: RunningServer;
const runs = new Map<string, Run>();

before(async () => {
  assert.ok(existsSync(python), `${python} is missing: run scripts/setup-python.sh`);
  server = await startServer();
  for (const client of CLIENTS) {
    runs.set(client.name, lastJsonLine<Run>(await runFixture(client.command, client.args, { SENTRY_DSN: server.dsn }, testsDir)));
  }
});
after(async () => {
  await server?.stop();
});

function walk(spans: any[]): any[] {
  return spans.flatMap((s) => [s, ...walk(s.children)]);
}

for (const client of CLIENTS) {
  describe(client.name, () => {
    test('each request is one trace: root name and op, status, child span with its data, tags', async () => {
      for (const t of runs.get(client.name)!.traces) {
        const { status, body: trace } = await server.api(`/api/0/traces/${t.traceId}/`);
        assert.equal(status, 200, `trace ${t.traceId}: ${JSON.stringify(trace)}`);
        assert.equal(trace.name, `checkout ${t.variant}`);
        assert.equal(trace.spanCount, 2);
        assert.equal(trace.status, t.variant === 'a' ? 'ERROR' : client.name.startsWith('Python') ? 'UNSET' : 'OK');
        assert.equal(trace.spans.length, 1);
        assert.equal(trace.spans[0].op, 'http.server');
        const child = trace.spans[0].children[0];
        assert.equal(child.name, 'Fetch User');
        assert.equal(child.op, 'db.query');
        assert.equal(child.data['db.table'], 'users');
        assert.equal(child.data['db.rows_returned'], 1);
        assert.ok(child.durationMs >= 15, `child span took ${child.durationMs} ms`);
        assert.ok(trace.executionTimeMs >= child.durationMs);
        if (client.tags) assert.equal(trace.tags.flag_variant, t.variant);
      }
    });

    test('the error of the failed request is linked to its trace, and so are its logs (±5 minutes)', async () => {
      const failed = runs.get(client.name)!.traces.find((t) => t.variant === 'a')!;
      const { body: trace } = await server.api(`/api/0/traces/${failed.traceId}/`);
      assert.deepEqual(trace.errors.map((e: any) => e.eventId), [failed.eventId]);
      assert.match(trace.errors[0].title, /payment declined/);
      if (!client.logs) return;
      assert.deepEqual(trace.logs.map((l: any) => l.body), ['checkout started']);
      const around = await server.api(`/api/0/projects/${server.projectId}/logs/?around=${failed.eventId}`);
      assert.equal(around.status, 200);
      assert.deepEqual(around.body.map((l: any) => [l.body, l.traceId, l.level]), [['checkout started', failed.traceId, 'info']]);
    });
  });
}

test('search finds them by the grammar of seed 004', async () => {
  const search = async (filter: string) => {
    const { status, body } = await server.api(`/api/0/projects/${server.projectId}/traces/?filter=${encodeURIComponent(filter)}&max_results=100`);
    assert.equal(status, 200, JSON.stringify(body));
    return body as any[];
  };
  assert.equal((await search("status = 'ERROR'")).length, 4);
  assert.equal((await search("tags.flag_variant = 'a'")).length, 3);
  assert.equal((await search("span.name = 'Fetch User' AND span.type = 'db.query'")).length, 8);
  assert.equal((await search("span.attributes.`db.table` = 'users' AND name LIKE 'checkout %'")).length, 8);
});

test('compare variants: errors per transaction for each value of the tag', async () => {
  const { status, body } = await server.api(`/api/0/projects/${server.projectId}/tags/flag_variant/compare/`);
  assert.equal(status, 200);
  const variants = Object.fromEntries(body.variants.map((v: any) => [v.value, v]));
  // Four clients captured one error with flag_variant=a; three of them send the tag on transactions
  // (span streaming in @sentry/node 11 does not carry scope tags).
  assert.equal(variants.a.events, 4);
  assert.equal(variants.a.transactions, 3);
  assert.equal(variants.a.errorRate, 1.3333);
  assert.equal(variants.b.events, 0);
  assert.equal(variants.b.transactions, 3);
  assert.equal(variants.b.errorRate, 0);
});
