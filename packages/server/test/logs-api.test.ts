/**
 * The logs API over the real server, fed through the public ingest path with `log` items as the
 * SDKs send them: by trace, time range, level and text; `around=<eventId>` gives the logs of the
 * event's trace within ±5 minutes (seed 001); bad parameters are 400s.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';

let server: RunningServer;
const TRACE = 'a'.repeat(32);
const OTHER = 'b'.repeat(32);
const at = Date.UTC(2026, 10, 20, 12, 0, 0);
let eventId = '';
let untraced = '';

async function envelope(header: Record<string, unknown>, items: Array<[Record<string, unknown>, unknown]>) {
  const body = [JSON.stringify(header), ...items.flatMap(([h, p]) => [JSON.stringify(h), JSON.stringify(p)])].join('\n') + '\n';
  const res = await fetch(`${server.url}/api/${server.projectId}/envelope/?sentry_key=${server.publicKey}`, { method: 'POST', body });
  assert.equal(res.status, 200, await res.text());
}

const log = (minutes: number, level: string, body: string, traceId?: string) => ({
  timestamp: (at + minutes * 60_000) / 1000,
  level,
  body,
  ...(traceId ? { trace_id: traceId } : {}),
  attributes: { minute: { value: minutes, type: 'integer' } },
});

before(async () => {
  server = await startServer();
  await envelope({ trace: { trace_id: TRACE } }, [
    [{ type: 'log', item_count: 6, content_type: 'application/vnd.sentry.items.log+json' }, {
      items: [
        log(-10, 'info', 'too early for the error'),
        log(-4, 'info', 'cart loaded'),
        log(-1, 'warning', 'payment slow'),
        log(0, 'error', 'payment failed'),
        log(3, 'info', 'retry scheduled'),
        log(6, 'info', 'too late for the error'),
      ],
    }],
  ]);
  await envelope({}, [[{ type: 'log' }, { items: [log(0, 'error', 'another trace', OTHER), log(1, 'debug', 'no trace at all')] }]]);
  eventId = randomUUID().replace(/-/g, '');
  untraced = randomUUID().replace(/-/g, '');
  await envelope({ event_id: eventId }, [[{ type: 'event' }, {
    event_id: eventId, timestamp: at / 1000, message: 'payment failed', contexts: { trace: { trace_id: TRACE, span_id: '1'.repeat(16) } },
  }]]);
  await envelope({ event_id: untraced }, [[{ type: 'event' }, { event_id: untraced, timestamp: at / 1000, message: 'no trace' }]]);
});
after(async () => {
  await server.stop();
});

const logs = async (query: string) => {
  const { status, body } = await server.api(`/api/0/projects/${server.projectId}/logs/?${query}`);
  assert.equal(status, 200, JSON.stringify(body));
  return (body as Array<{ body: string }>).map((l) => l.body);
};

test('around=<eventId>: the logs of the event trace within 5 minutes either side, oldest first', async () => {
  assert.deepEqual(await logs(`around=${eventId}`), ['cart loaded', 'payment slow', 'payment failed', 'retry scheduled']);
  assert.deepEqual(await logs(`around=${eventId}&level=warn,error`), ['payment slow', 'payment failed']);
  assert.deepEqual(await logs(`around=${untraced}`), [], 'an event without a trace id has no correlated logs');
  assert.equal((await server.api(`/api/0/projects/${server.projectId}/logs/?around=${'0'.repeat(32)}`)).status, 404);
});

test('filters: trace id, time range, level, text; newest first by default; records take the envelope trace', async () => {
  assert.equal((await logs(`trace_id=${TRACE}`)).length, 6);
  assert.deepEqual(await logs(`trace_id=${OTHER}`), ['another trace']);
  assert.deepEqual(await logs(`start=${new Date(at).toISOString()}&end=${at + 3 * 60_000}&order=asc`), ['payment failed', 'another trace', 'no trace at all', 'retry scheduled']);
  assert.deepEqual((await logs('level=error')).sort(), ['another trace', 'payment failed']);
  assert.deepEqual(await logs('query=TOO'), ['too late for the error', 'too early for the error']);
  assert.deepEqual(await logs('query=100%25'), []);
  const { body } = await server.api(`/api/0/projects/${server.projectId}/logs/?query=retry`);
  assert.equal(body[0].level, 'info');
  assert.equal(body[0].traceId, TRACE);
  assert.deepEqual(body[0].attributes, { minute: 3 });
});

test('pages follow X-Next-Cursor', async () => {
  const seen: string[] = [];
  let cursor = '';
  for (let i = 0; i < 10; i++) {
    const res = await fetch(`${server.url}/api/0/projects/${server.projectId}/logs/?limit=3${cursor ? `&cursor=${cursor}` : ''}`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    seen.push(...((await res.json()) as Array<{ body: string }>).map((l) => l.body));
    cursor = res.headers.get('x-next-cursor') ?? '';
    if (!cursor) break;
  }
  assert.equal(seen.length, 8);
  assert.equal(new Set(seen).size, 8);
});

test('bad parameters answer 400 with a message', async () => {
  for (const query of ['level=loud', 'trace_id=xyz', 'start=yesterday', 'order=up', 'cursor=garbage', 'limit=0']) {
    const { status, body } = await server.api(`/api/0/projects/${server.projectId}/logs/?${query}`);
    assert.equal(status, 400, query);
    assert.ok(body.error.message, query);
  }
});
