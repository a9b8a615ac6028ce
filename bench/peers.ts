/**
 * Peers section (`npm run bench -- peers`): Bugsink (bench/bugsink.ts) beside Proliferate on the
 * same machine, fed the SAME envelopes (one pool, each server reading it from the start) in
 * interleaved closed-loop rounds, then a paced run at a rate both hold. Bugsink acknowledges an
 * envelope once it is on its ingest disk and digests it later (Snappea), so "stored" counts what
 * reached its database, waiting for the digest queue to drain; Proliferate's acks are durable, so
 * its stored rate is its accepted rate. RSS is the sum of VmHWM over each server's process tree
 * (gunicorn's master and workers and the Snappea foreman for Bugsink; shared pages count once per
 * process, which favours neither much: both are mostly private heap).
 */
import { rmSync } from 'node:fs';
import { closedLoop, fixedRate, type LoadResult, type Target } from './load.js';
import { BUGSINK_KEY, BUGSINK_VERSION, processTree, QUOTA_NOTE, startBugsink, type BugsinkPeer } from './bugsink.js';
import { buildPool } from './pool.js';
import { dirBytes, diskPerEvent, peakRss, startProliferate, type RunningServer } from './processes.js';
import { log, table, type Row } from './report.js';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.PEERS_SECONDS ?? 10);
const ROUNDS = 2;
const PACED_SECONDS = 10;
/** How long to wait for Bugsink's digest queue to drain after a round. */
const DRAIN_LIMIT_MS = 180_000;

interface Side {
  name: string;
  target: Target;
  cursor: { next: number };
  accepted: number[];
  stored: number[];
  drained: boolean[];
  paced?: LoadResult;
  rss: () => number;
  stored_total: () => number;
}

const treeRss = (pid: number) => processTree(pid).reduce((sum, p) => sum + (peakRss(p) ?? 0), 0);

function target(url: string, path: string, key: string, pool: Buffer[], cursor: { next: number }): Target {
  return {
    url,
    path,
    headers: { 'content-type': 'application/x-sentry-envelope', 'content-encoding': 'gzip', 'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${key}` },
    nextBody: () => pool[cursor.next++ % pool.length]!,
  };
}

/** Waits until Bugsink has digested everything queued; the time of the last new row ends the round. */
async function drain(peer: BugsinkPeer, before: number, started: number): Promise<{ stored: number; ms: number; drained: boolean }> {
  let last = peer.storedEvents();
  let lastChange = Date.now();
  const deadline = Date.now() + DRAIN_LIMIT_MS;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = peer.storedEvents();
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    }
    const pending = peer.pendingTasks();
    if (pending === 0 && Date.now() - lastChange > 1500) return { stored: last - before, ms: lastChange - started, drained: true };
    if (Date.now() > deadline) return { stored: last - before, ms: Date.now() - started, drained: false };
  }
}

export async function runPeers(): Promise<Row[]> {
  log(`peers: starting Bugsink ${BUGSINK_VERSION} (PyPI, virtual environment under bench/.data/peers)`);
  let bugsink: BugsinkPeer;
  try {
    bugsink = await startBugsink();
  } catch (error) {
    const reason = (error as Error).message;
    log(`peers: Bugsink cannot run here: ${reason}`);
    return [{ name: 'Bugsink', value: null, unit: '', note: `cannot run here: ${reason.slice(0, 300)}` }];
  }
  const proliferate: RunningServer = await startProliferate();
  try {
    // The envelope header's dsn names Bugsink's project and key (Bugsink authenticates by it when
    // present); Proliferate authenticates by the X-Sentry-Auth header first, so the bytes are the same.
    const pool = await buildPool({ size: 60_000, dsn: `http://${BUGSINK_KEY}@127.0.0.1/${bugsink.projectId}`, issues: 300, seed: 11 });
    const sides: Side[] = [
      {
        name: 'Proliferate',
        cursor: { next: 0 },
        target: undefined as unknown as Target,
        accepted: [],
        stored: [],
        drained: [],
        rss: () => peakRss(proliferate.process.pid!) ?? 0,
        stored_total: () => 0,
      },
      { name: `Bugsink ${BUGSINK_VERSION}`, cursor: { next: 0 }, target: undefined as unknown as Target, accepted: [], stored: [], drained: [], rss: () => treeRss(bugsink.pids[0]!) + treeRss(bugsink.pids[1]!), stored_total: () => bugsink.storedEvents() },
    ];
    sides[0]!.target = target(proliferate.url, `/api/${proliferate.projectId}/envelope/`, proliferate.publicKey, pool, sides[0]!.cursor);
    sides[1]!.target = target(bugsink.url, `/api/${bugsink.projectId}/envelope/`, BUGSINK_KEY, pool, sides[1]!.cursor);

    for (let round = 0; round < ROUNDS; round++) {
      // Interleaved, the order swapped each round, so a machine slowing down favours neither.
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        const before = side.stored_total();
        const started = Date.now();
        const result = await closedLoop(side.target, { connections: CONNECTIONS, seconds: SECONDS, maxRequests: 1_000_000 });
        side.accepted.push(result.perSecond);
        if (side === sides[0]) {
          side.stored.push(result.perSecond);
          side.drained.push(true);
        } else {
          const digested = await drain(bugsink, before, started);
          side.stored.push((digested.stored * 1000) / digested.ms);
          side.drained.push(digested.drained);
        }
        log(`peers: round ${round + 1}, ${side.name}: ${result.perSecond.toFixed(0)} accepted/s, ${side.stored.at(-1)!.toFixed(0)} stored/s (${result.failed} failed)`);
      }
    }
    // A rate both hold: half the lower stored rate, at most 2,500 events/s.
    const rate = Math.max(10, Math.min(2500, Math.floor(0.5 * Math.min(...sides.map((s) => Math.min(...s.stored))))));
    for (const side of sides) {
      side.paced = await fixedRate(side.target, { rate, seconds: PACED_SECONDS, connections: CONNECTIONS });
      if (side !== sides[0]) await drain(bugsink, side.stored_total(), Date.now());
      log(`peers: paced ${rate}/s, ${side.name}: p50 ${side.paced.p50.toFixed(1)} ms, p99 ${side.paced.p99.toFixed(1)} ms`);
    }
    const rss = sides.map((s) => s.rss());
    await proliferate.stop({ keepData: true });
    await bugsink.stop();
    const ours = diskPerEvent(proliferate.dataDir);
    const theirs = { events: bugsink.storedEvents(), bytes: dirBytes(bugsink.dir) };
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
    const rows: Row[] = [];
    sides.forEach((side, i) => {
      const disk = i === 0 ? ours : theirs;
      const unfinished = side.drained.some((d) => !d) ? `; digest queue not drained within ${DRAIN_LIMIT_MS / 1000} s in some round` : '';
      rows.push(
        { name: `${side.name}: events/s accepted`, value: median(side.accepted), unit: 'events/s', note: `rounds ${side.accepted.map((v) => v.toFixed(0)).join(', ')}; ${CONNECTIONS} connections, ${SECONDS} s each` },
        { name: `${side.name}: events/s stored`, value: median(side.stored), unit: 'events/s', note: (i === 0 ? 'acks are durable: stored when acknowledged' : 'counted in its database once digested') + unfinished },
        { name: `${side.name}: ack p50 at ${rate}/s`, value: side.paced!.p50, unit: 'ms' },
        { name: `${side.name}: ack p99 at ${rate}/s`, value: side.paced!.p99, unit: 'ms', note: `${side.paced!.ok} ok, ${side.paced!.failed} failed` },
        { name: `${side.name}: peak RSS (process tree)`, value: rss[i]! / 2 ** 20, unit: 'MB' },
        { name: `${side.name}: disk per event`, value: disk.events ? disk.bytes / disk.events : null, unit: 'B', note: `${disk.events} events, ${(disk.bytes / 2 ** 20).toFixed(1)} MB` },
      );
    });
    rows.push({ name: 'note', value: null, unit: '', note: QUOTA_NOTE });
    rmSync(proliferate.dataDir, { recursive: true, force: true });
    rmSync(bugsink.dir, { recursive: true, force: true });
    return rows;
  } finally {
    await proliferate.stop().catch(() => {});
    await bugsink.stop().catch(() => {});
  }
}

export const peersTable = (rows: Row[]) => table('peers (the same gzipped envelopes to each server, interleaved rounds, same machine)', rows);
