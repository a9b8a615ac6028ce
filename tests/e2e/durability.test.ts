/**
 * Durability: a 2xx from ingest means the event is committed. Concurrent senders post events
 * (envelopes, gzipped envelopes and legacy store requests) to a real server and record every
 * acknowledged event id; the server is killed with SIGKILL by its pid while requests are in flight
 * and restarted on the same data directory, twice, and every acknowledged event must be there.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { startServer, type RunningServer } from '../helpers/server.ts';

const SENDERS = 12;
const MAX_REQUESTS_PER_SENDER = 2_000;
const KILL_AFTER_ACKS = 300;
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
  let body: BodyInit = envelope;
  if (mode === 'envelope-gzip') {
    headers['content-encoding'] = 'gzip';
    body = new Uint8Array(gzipSync(envelope));
  }
  return { url: `${server.url}/api/${server.projectId}/envelope/`, init: { method: 'POST', headers, body } };
}

interface Ack { eventId: string; sender: number; seq: number }
interface Round {
  acked: Ack[]; ackedAtKill: number; attempted: number; unanswered: number;
  /** Answers other than 200 before the signal (none expected) and after it. */
  unexpected: string[]; answeredAfterSignal: number[];
}

/**
 * Runs SENDERS concurrent senders against the server until `killAfterAcks` events are acknowledged
 * (or KILL_AFTER_MS passes), then signals it by pid while they keep sending, and waits (at most
 * 20 s) for it to exit. A sender stops at its first failed request, as the official clients drop.
 */
async function sendUntilSignalled(
  server: RunningServer, round: number, killAfterAcks: number, signal: NodeJS.Signals,
): Promise<Round> {
  const result: Round = { acked: [], ackedAtKill: 0, attempted: 0, unanswered: 0, unexpected: [], answeredAfterSignal: [] };
  let signalled = false;
  let exited = false;

  async function sender(id: number) {
    for (let n = 0; n < MAX_REQUESTS_PER_SENDER && !exited; n++) {
      const seq = round * MAX_REQUESTS_PER_SENDER + n;
      const eventId = randomUUID().replace(/-/g, '');
      const { url, init } = request(server, id, seq, eventId);
      result.attempted++;
      let status: number;
      let text: string;
      try {
        const response = await fetch(url, init);
        status = response.status;
        text = await response.text();
      } catch {
        result.unanswered++; // the server is gone: like the official clients, drop and stop
        return;
      }
      if (status === 200 && JSON.parse(text).id === eventId) result.acked.push({ eventId, sender: id, seq });
      else if (signalled) result.answeredAfterSignal.push(status);
      else result.unexpected.push(`${status} ${text}`);
    }
  }

  const senders = Array.from({ length: SENDERS }, (_, id) => sender(id));
  const startedAt = Date.now();
  while (result.acked.length < killAfterAcks && Date.now() - startedAt < KILL_AFTER_MS && result.unexpected.length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  result.ackedAtKill = result.acked.length;
  signalled = true;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      server.kill(signal),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`the server did not exit on ${signal} in 20 s`)), 20_000))),
    ]);
  } finally {
    clearTimeout(timer);
    await server.kill('SIGKILL');
    exited = true;
  }
  await Promise.all(senders);
  return result;
}

/** Every acknowledged event, fetched one by one (32 at a time): the ids missing, and those with wrong tags. */
async function findAcknowledged(server: RunningServer, acked: Ack[]): Promise<{ missing: string[]; wrong: string[] }> {
  const missing: string[] = [];
  const wrong: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < acked.length) {
      const ack = acked[next++]!;
      const { status, body } = await server.api(`/api/0/projects/${server.projectId}/events/${ack.eventId}/`);
      if (status !== 200) missing.push(`${ack.eventId} (${status})`);
      else if (body.tags?.sender !== String(ack.sender) || body.tags?.seq !== String(ack.seq)) wrong.push(ack.eventId);
    }
  }));
  return { missing, wrong };
}

/** Every event id of an issue, following the cursor pages of GET /api/0/issues/{id}/events/. */
async function issueEventIds(server: RunningServer, issueId: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1_000; page++) {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await fetch(`${server.url}/api/0/issues/${issueId}/events/?limit=100${query}`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    assert.equal(response.status, 200);
    ids.push(...((await response.json()) as Array<{ eventId: string }>).map((e) => e.eventId));
    cursor = response.headers.get('x-next-cursor');
    if (!cursor) return ids;
  }
  throw new Error('more than 1,000 pages of events');
}

/** Write batches whose derived rows (counts, tag index) were still journaled when the server died. */
function journaledBatches(dataDir: string): number | string {
  // PostgreSQL derives every row in the event's own transaction: there is no journal.
  if (process.env.PROLIFERATE_TEST_STORE === 'postgres') return 'no (PostgreSQL)';
  const db = new Database(join(dataDir, 'proliferate.sqlite3'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM derived_journal').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const dataDirs: string[] = [];
after(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

test('every event acknowledged before each of two SIGKILLs mid-stream is there after restarts on the same data directory', async (t) => {
  const first = await startServer();
  dataDirs.push(first.dataDir);
  const restart = () => startServer({ dataDir: first.dataDir, adminToken: first.adminToken });

  const rounds: Round[] = [];
  let server = first;
  for (const [round, killAfterAcks] of [[0, KILL_AFTER_ACKS], [1, KILL_AFTER_ACKS / 2]] as const) {
    if (round > 0) server = await restart();
    const result = await sendUntilSignalled(server, round, killAfterAcks, 'SIGKILL');
    t.diagnostic(`round ${round}: ${result.attempted} sent, ${result.ackedAtKill} acknowledged when killed ` +
      `(${result.acked.length} in all), ${result.unanswered} unanswered, ` +
      `${journaledBatches(server.dataDir)} batches of derived rows journaled but not applied`);
    assert.deepEqual(result.unexpected, [], 'before the crash every request is acknowledged (no 4xx or 5xx)');
    assert.ok(result.ackedAtKill >= 50, `only ${result.ackedAtKill} events acknowledged before the kill`);
    assert.ok(result.unanswered > 0, 'the kill happened while requests were in flight');
    assert.equal(server.process.signalCode, 'SIGKILL');
    rounds.push(result);
  }
  const acked = rounds.flatMap((r) => r.acked);
  const attempted = rounds.reduce((sum, r) => sum + r.attempted, 0);

  const last = await restart();
  try {
    assert.equal(last.projectId, first.projectId);
    assert.equal(last.publicKey, first.publicKey, 'the project key survives the crashes');

    const { missing, wrong } = await findAcknowledged(last, acked);
    assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged events are missing after the crashes`);
    assert.deepEqual(wrong, [], 'acknowledged events come back with their own tags');

    // Issue counters and tag counts come from the stored events (applied with them, or from the
    // derived-rows journal after a crash): each issue counts exactly the events it holds, at least
    // its acknowledged ones and at most everything that was sent.
    const { body: issues } = await last.api<Array<{ id: number; title: string; count: number }>>(
      `/api/0/projects/${last.projectId}/issues/?limit=100`,
    );
    assert.equal(issues.length, ISSUE_KINDS);
    for (let kind = 0; kind < ISSUE_KINDS; kind++) {
      const issue = issues.find((i) => i.title.startsWith(`DurabilityError${kind}:`));
      assert.ok(issue, `issue of DurabilityError${kind}`);
      const ids = await issueEventIds(last, issue.id);
      assert.equal(new Set(ids).size, ids.length, `DurabilityError${kind}: an event is listed twice`);
      assert.equal(issue.count, ids.length, `DurabilityError${kind}: count ${issue.count}, but ${ids.length} events`);
      const ackedForKind = acked.filter((a) => kindOf(a.sender) === kind);
      assert.ok(ackedForKind.every((a) => ids.includes(a.eventId)), `DurabilityError${kind}: an acknowledged event is not in its issue`);
      assert.ok(issue.count <= attempted, `DurabilityError${kind}: count ${issue.count} > ${attempted} sent`);
      const { body: tags } = await last.api<Array<{ key: string; totalValues: number }>>(`/api/0/issues/${issue.id}/tags/`);
      assert.equal(tags.find((tag) => tag.key === 'sender')?.totalValues, ids.length, `DurabilityError${kind}: sender tag counts`);
    }

    // And the restarted server takes new events.
    const eventId = randomUUID().replace(/-/g, '');
    const { url, init } = request(last, 0, 999_999, eventId);
    const response = await fetch(url, init);
    assert.equal(response.status, 200);
    assert.equal((await last.api(`/api/0/projects/${last.projectId}/events/${eventId}/`)).status, 200);
  } finally {
    await last.stop();
  }
});

test('a SIGTERM under load stops the server promptly, and every acknowledged event is there after a restart', async (t) => {
  const first = await startServer();
  dataDirs.push(first.dataDir);
  const result = await sendUntilSignalled(first, 0, KILL_AFTER_ACKS, 'SIGTERM');
  t.diagnostic(`${result.attempted} sent, ${result.ackedAtKill} acknowledged at the signal (${result.acked.length} in all), ` +
    `${result.unanswered} unanswered, after the signal answered ${JSON.stringify(result.answeredAfterSignal)}`);
  assert.deepEqual(result.unexpected, []);
  assert.equal(first.process.exitCode, 0, `exit code ${first.process.exitCode}, signal ${first.process.signalCode}`);
  // While it closes, the server refuses new requests with 503 (or the connection): nothing else.
  assert.deepEqual(result.answeredAfterSignal.filter((status) => status !== 503), []);

  const second = await startServer({ dataDir: first.dataDir, adminToken: first.adminToken });
  try {
    const { missing, wrong } = await findAcknowledged(second, result.acked);
    assert.deepEqual(missing, [], `${missing.length} of ${result.acked.length} acknowledged events are missing after a SIGTERM`);
    assert.deepEqual(wrong, []);
  } finally {
    await second.stop();
  }
});
