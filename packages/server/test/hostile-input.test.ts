/**
 * Defects a hostile probe found (issue 17), each against the real server: out-of-range times and
 * numbers, tag floods, oversized headers, empty JSON bodies and unbalanced search parentheses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

const newId = () => randomUUID().replace(/-/g, '');
const spanId = () => newId().slice(0, 16);

async function send(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}${path.includes('?') ? '&' : '?'}sentry_key=${server.publicKey}`, { method: 'POST', body, headers });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}
const store = (event: object) => send(`/api/${server.projectId}/store/`, JSON.stringify(event));
const envelope = (headers: object, items: Array<[object, object]>) =>
  send(`/api/${server.projectId}/envelope/`, [JSON.stringify(headers), ...items.flatMap(([h, p]) => [JSON.stringify(h), JSON.stringify(p)])].join('\n'));

describe('times outside the JavaScript date range', () => {
  for (const timestamp of [1e20, -9e15, 9007199254740993]) {
    test(`an event with timestamp ${timestamp} on /store/ and in an envelope is kept at the receive time with a clock_drift note`, async () => {
      const before = Date.now();
      for (const via of ['store', 'envelope'] as const) {
        const id = newId();
        const event = { event_id: id, timestamp, message: `far time ${timestamp} via ${via}` };
        const answer = via === 'store' ? await store(event) : await envelope({ event_id: id }, [[{ type: 'event' }, event]]);
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        const stored = await server.api(`/api/0/projects/${server.projectId}/events/${id}/`);
        assert.equal(stored.status, 200);
        const at = Date.parse(stored.body.timestamp);
        assert.ok(at >= before - 1000 && at <= Date.now() + 1000, `timestamp ${stored.body.timestamp} is the receive time`);
        const note = stored.body.processingErrors.find((e: { type: string }) => e.type === 'clock_drift');
        assert.ok(note, `clock_drift recorded: ${JSON.stringify(stored.body.processingErrors)}`);
        assert.equal(typeof note.value, 'string');
      }
    });
  }

  test('breadcrumbs with out-of-range times are kept at the event time', async () => {
    const id = newId();
    const answer = await store({ event_id: id, message: 'crumbs', breadcrumbs: [{ message: 'far', timestamp: 1e300 }, { message: 'before', timestamp: -1e300 }] });
    assert.equal(answer.status, 200);
    const stored = await server.api(`/api/0/projects/${server.projectId}/events/${id}/`);
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    for (const crumb of stored.body.breadcrumbs) assert.equal(crumb.timestamp * 1000, Date.parse(stored.body.timestamp));
  });
});
