/**
 * Rate limits across server processes (docs/scaling.md): two real servers on one PostgreSQL
 * database share each project's token bucket, so a project limited to L a minute with burst B gets
 * B (plus the refill) across both, within the documented bound, not B from each.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const PER_MINUTE = 60;
const BURST = 20;
/** docs/scaling.md: at most one lease per process and bucket can be spent beyond the shared bucket (min(burst/4, rate/120), at least 1). */
const LEASE = Math.max(1, Math.min(Math.floor(BURST / 4), Math.ceil(PER_MINUTE / 120)));

function sendEvent(server: RunningServer): Promise<number> {
  return fetch(`${server.url}/api/${server.projectId}/store/?sentry_key=${server.publicKey}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ event_id: randomUUID().replace(/-/g, ''), level: 'error', message: 'limited across processes' }),
  }).then(async (response) => {
    await response.arrayBuffer();
    return response.status;
  });
}

describe('rate limits shared by two server processes on one PostgreSQL database', { timeout: 180_000 }, () => {
  let db: TestDatabase;
  let a: RunningServer;
  let b: RunningServer;

  before(async () => {
    db = await createTestDatabase('life3_ratelimit');
    // The server-wide limit applies to the default project in both processes from their start.
    const env = { PROLIFERATE_DATABASE_URL: db.url, PROLIFERATE_RATE_LIMIT_PER_MINUTE: String(PER_MINUTE), PROLIFERATE_RATE_LIMIT_BURST: String(BURST) };
    a = await startServer({ env });
    b = await startServer({ env, adminToken: a.adminToken });
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  test(`a project limited to ${PER_MINUTE} a minute with a burst of ${BURST} gets about one burst across both processes, not one from each`, async (t) => {
    const started = Date.now();
    const statuses: number[][] = [[], []];
    // 80 events, 8 at a time, alternating between the processes.
    for (let round = 0; round < 10; round++) {
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => sendEvent(i % 2 ? b : a).then((status) => statuses[i % 2]!.push(status))));
      assert.equal(answers.length, 8);
    }
    const elapsedS = (Date.now() - started) / 1000;
    const all = statuses.flat();
    assert.ok(all.every((s) => s === 200 || s === 429), `only 200 or 429: ${all.join(',')}`);
    const accepted = all.filter((s) => s === 200).length;
    const refill = (elapsedS * PER_MINUTE) / 60;
    const upper = BURST + Math.ceil(refill) + 2 * LEASE;
    t.diagnostic(`accepted ${accepted} of 80 in ${elapsedS.toFixed(1)} s (a: ${statuses[0]!.filter((s) => s === 200).length}, b: ${statuses[1]!.filter((s) => s === 200).length}); bound ${upper}`);
    assert.ok(accepted <= upper, `accepted ${accepted} > burst + refill + one lease per process (${upper}); each process alone would allow ${BURST}`);
    assert.ok(accepted >= BURST - 2 * LEASE, `accepted ${accepted}: the shared bucket is not stricter than one bucket beyond the leases`);
    for (const side of statuses) assert.ok(side.includes(200) && side.includes(429), 'each process accepted some and refused the rest');

    // Both processes count what they refused; either answers the total.
    const refused = all.length - accepted;
    let counted = -1;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const answer = await a.api(`/api/0/projects/${a.projectId}/outcomes/`);
      counted = (answer.body.totals as Array<{ outcome: string; count: number }>).filter((r) => r.outcome === 'rate_limited').reduce((n, r) => n + r.count, 0);
      if (counted === refused) break;
    }
    assert.equal(counted, refused, 'every refused event is counted once');
  });
});
