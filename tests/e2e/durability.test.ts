/**
 * Durability: a 2xx from ingest means the event is committed. Concurrent senders post events
 * (envelopes, gzipped envelopes and legacy store requests) to a real server and record every
 * acknowledged event id; the server is killed with SIGKILL by its pid while requests are in flight,
 * restarted on the same data directory, and every acknowledged event must be there.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startServer, type RunningServer } from '../helpers/server.ts';

const SENDERS = 12;
const MAX_REQUESTS_PER_SENDER = 2_000;
const KILL_AFTER_ACKS = 600;
const KILL_AFTER_MS = 8_000;
const ISSUE_KINDS = 4;

type Mode = 'envelope' | 'envelope-gzip' | 'store';
const modeOf = (sender: number): Mode => (['envelope', 'envelope-gzip', 'store'] as const)[sender % 3]!;
const kindOf = (sender: number) => sender % ISSUE_KINDS;

function event(eventId: string, sender: number, seq: number) {
  const kind = kindOf(sender);
  return {
    event_id: eventId,
    timestamp: Date.now() / 1000,
    platform: 'node',
    level: 'error',
    environment: 'durability',
    tags: { sender: String(sender), seq: String(seq), mode: modeOf(sender) },
    user: { id: `user-${seq % 7}` },
    exception: {
      values: [{
        type: `DurabilityError${kind}`,
        value: `write ${seq} from sender ${sender}`,
        stacktrace: {
          frames: [
            { function: 'main', filename: '/app/main.js', lineno: 1 },
            { function: `handler${kind}`, filename: '/app/handlers.js', lineno: 10 + seq },
            { function: 'write', filename: '/app/store.js', lineno: 99 },
          ],
        },
      }],
    },
    breadcrumbs: [{ timestamp: Date.now() / 1000, category: 'test', message: `before write ${seq}` }],
  };
}

function request(server: RunningServer, sender: number, seq: number, eventId: string): { url: string; init: RequestInit } {
  const auth = `Sentry sentry_version=7, sentry_client=durability-test/1.0, sentry_key=${server.publicKey}`;
  const payload = JSON.stringify(event(eventId, sender, seq));
  const mode = modeOf(sender);
  if (mode === 'store') {
    return {
      url: `${server.url}/api/${server.projectId}/store/`,
      init: { method: 'POST', headers: { 'x-sentry-auth': auth, 'content-type': 'application/json' }, body: payload },
    };
  }
  const envelope = `${JSON.stringify({ event_id: eventId, sent_at: new Date().toISOString() })}\n{"type":"event"}\n${payload}\n`;
  const headers: Record<string, string> = { 'x-sentry-auth': auth, 'content-type': 'application/x-sentry-envelope' };
  let body: string | Uint8Array = envelope;
  if (mode === 'envelope-gzip') {
    headers['content-encoding'] = 'gzip';
    body = gzipSync(envelope);
  }
  return { url: `${server.url}/api/${server.projectId}/envelope/`, init: { method: 'POST', headers, body } };
}

interface Ack { eventId: string; sender: number; seq: number }

const dataDirs: string[] = [];
after(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

test('every event acknowledged before a SIGKILL mid-stream is there after a restart on the same data directory', async (t) => {
  const first = await startServer();
  dataDirs.push(first.dataDir);
  const acked: Ack[] = [];
  let attempted = 0;
  let unanswered = 0;
  const unexpected: string[] = [];
  let killed = false;

  async function sender(id: number) {
    for (let seq = 0; seq < MAX_REQUESTS_PER_SENDER && !killed; seq++) {
      const eventId = randomUUID().replace(/-/g, '');
      const { url, init } = request(first, id, seq, eventId);
      attempted++;
      let status: number;
      let text: string;
      try {
        const response = await fetch(url, init);
        status = response.status;
        text = await response.text();
      } catch {
        unanswered++; // the server is gone: like the official clients, drop and stop
        return;
      }
      if (status === 200 && JSON.parse(text).id === eventId) acked.push({ eventId, sender: id, seq });
      else unexpected.push(`${status} ${text}`);
    }
  }

  const senders = Array.from({ length: SENDERS }, (_, id) => sender(id));
  const startedAt = Date.now();
  while (acked.length < KILL_AFTER_ACKS && Date.now() - startedAt < KILL_AFTER_MS && unexpected.length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const ackedAtKill = acked.length;
  await first.kill('SIGKILL');
  killed = true;
  await Promise.all(senders);

  t.diagnostic(`${attempted} sent, ${ackedAtKill} acknowledged when killed (${acked.length} in all), ${unanswered} unanswered`);
  assert.deepEqual(unexpected, [], 'before the crash every request is acknowledged (no 4xx or 5xx)');
  assert.ok(ackedAtKill >= 50, `only ${ackedAtKill} events acknowledged before the kill`);
  assert.ok(unanswered > 0, 'the kill happened while requests were in flight');
  assert.equal(first.process.signalCode, 'SIGKILL');

  const second = await startServer({ dataDir: first.dataDir, adminToken: first.adminToken });
  try {
    assert.equal(second.projectId, first.projectId);
    assert.equal(second.publicKey, first.publicKey, 'the project key survives the crash');

    // Every acknowledged event, fetched one by one (16 at a time).
    const missing: string[] = [];
    const wrong: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < acked.length) {
        const ack = acked[next++]!;
        const { status, body } = await second.api(`/api/0/projects/${second.projectId}/events/${ack.eventId}/`);
        if (status !== 200) missing.push(`${ack.eventId} (${status})`);
        else if (body.tags?.sender !== String(ack.sender) || body.tags?.seq !== String(ack.seq)) wrong.push(ack.eventId);
      }
    }));
    assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged events are missing after the crash`);
    assert.deepEqual(wrong, [], 'acknowledged events come back with their own tags');

    // Issue counters were committed with the events: each issue counts at least its acknowledged
    // events and at most everything that was sent for it.
    const { body: issues } = await second.api<Array<{ title: string; count: number }>>(
      `/api/0/projects/${second.projectId}/issues/?limit=100`,
    );
    assert.equal(issues.length, ISSUE_KINDS);
    for (let kind = 0; kind < ISSUE_KINDS; kind++) {
      const issue = issues.find((i) => i.title.startsWith(`DurabilityError${kind}:`));
      assert.ok(issue, `issue of DurabilityError${kind}`);
      const ackedForKind = acked.filter((a) => kindOf(a.sender) === kind).length;
      assert.ok(issue.count >= ackedForKind, `DurabilityError${kind}: count ${issue.count} < ${ackedForKind} acknowledged`);
      assert.ok(issue.count <= attempted, `DurabilityError${kind}: count ${issue.count} > ${attempted} sent`);
    }

    // And the restarted server takes new events.
    const eventId = randomUUID().replace(/-/g, '');
    const { url, init } = request(second, 0, 999_999, eventId);
    const response = await fetch(url, init);
    assert.equal(response.status, 200);
    assert.equal((await second.api(`/api/0/projects/${second.projectId}/events/${eventId}/`)).status, 200);
  } finally {
    await second.stop();
  }
});
