/**
 * The bounded ingest queue. Ingest requests in progress are counted from their first byte to their
 * answer; past `maxInFlight`, or when the event loop is already late by more than `maxLoopDelayMs`
 * while many requests are in progress, a new one is answered 503 + Retry-After before its body is
 * read. A client then waits and resends (SDKs honour Retry-After) instead of every request, health
 * checks and dashboard reads included, queueing behind an unbounded backlog (issue 17 measured 9.5 s
 * ingest latency and a 2.6 s /healthz p99 at 1,500 concurrent senders without it).
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyReply } from 'fastify';

/** How often the event loop's delay is sampled. */
const SAMPLE_MS = 10;
/**
 * Below this many requests in progress, lateness is someone else's load (a shared machine) or one
 * client's burst, not ours to shed: a test that posts 100 events at once to a PostgreSQL-backed
 * server on a loaded 2-core machine was refused at 64 (group commits keep requests in progress longer).
 */
const MIN_IN_FLIGHT_FOR_LAG = 128;
/** Weight of the newest sample in the lateness average: about five late ticks in a row trip the gate, one GC pause does not. */
const LAG_WEIGHT = 0.3;
/**
 * A refusal is answered this long after the request came, not at once. A sender that ignores
 * Retry-After (a flood, a misbuilt client) otherwise resends the moment it is refused, and the
 * refusals alone fill the event loop: in the overload bench (1,000 connections) answering 5,300
 * refusals a second took most of the main thread (a socket write each), and /healthz and the issue
 * list queued behind them. Held for a second, each connection costs at most one refusal a second.
 * SDKs that honour Retry-After wait 5 s anyway, so the second costs them nothing.
 */
const REFUSAL_DELAY_MS = 1000;
/** The longest one turn of the event loop spends answering held refusals. */
const RELEASE_SLICE_MS = 4;
/** Refusals held at once; past this a refusal is answered at once and its connection closed. */
const MAX_HELD_REFUSALS = 20_000;
const REFUSAL_BODY = JSON.stringify({ error: { code: 'overloaded', message: 'The server is receiving more than it can process; retry later' } });

export class OverloadGate {
  private inFlight = new Set<IncomingMessage>();
  private lag = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Refused requests waiting for their answer, oldest first. */
  private held: Array<{ reply: FastifyReply; due: number }> = [];
  private releaseTimer: NodeJS.Timeout | null = null;
  refused = 0;

  constructor(
    private readonly maxInFlight: number,
    private readonly maxLoopDelayMs: number,
  ) {}

  start(): void {
    let expected = performance.now() + SAMPLE_MS;
    this.timer = setInterval(() => {
      const now = performance.now();
      // Sustained lateness counts, not one pause: the figure is an average over the last few ticks.
      const late = Math.max(0, now - expected);
      this.lag = this.lag * (1 - LAG_WEIGHT) + late * LAG_WEIGHT;
      expected = now + SAMPLE_MS;
    }, SAMPLE_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.releaseTimer = null;
    for (const { reply } of this.held.splice(0)) answerRefusal(reply, false);
  }

  get depth(): number {
    return this.inFlight.size;
  }

  get loopDelayMs(): number {
    return this.lag;
  }

  /**
   * Admits a request (true), or takes over its answer (false): 503 + Retry-After, sent
   * REFUSAL_DELAY_MS later. The caller must then neither continue nor answer the request.
   */
  admit(request: IncomingMessage, reply: FastifyReply): boolean {
    const depth = this.inFlight.size;
    if (depth < this.maxInFlight && !(depth >= MIN_IN_FLIGHT_FOR_LAG && this.lag > this.maxLoopDelayMs)) {
      this.inFlight.add(request);
      return true;
    }
    this.refused++;
    if (this.held.length >= MAX_HELD_REFUSALS) {
      answerRefusal(reply, true);
      return false;
    }
    this.held.push({ reply, due: performance.now() + REFUSAL_DELAY_MS });
    this.releaseTimer ??= setTimeout(() => this.releaseDue(), REFUSAL_DELAY_MS);
    return false;
  }

  /**
   * Answers the refusals whose time has come; one timer serves them all. At most RELEASE_SLICE_MS
   * of answering per turn of the event loop: a thousand refusals due at once (a flood's first
   * second) would otherwise hold it for a hundred milliseconds.
   */
  private releaseDue(): void {
    this.releaseTimer = null;
    const started = performance.now();
    let count = 0;
    while (count < this.held.length && this.held[count]!.due <= started && performance.now() - started < RELEASE_SLICE_MS) {
      answerRefusal(this.held[count]!.reply, false);
      count++;
    }
    this.held.splice(0, count);
    if (this.held.length === 0) return;
    const wait = this.held[0]!.due - performance.now();
    this.releaseTimer = setTimeout(() => this.releaseDue(), Math.max(1, wait));
  }

  leave(request: IncomingMessage): void {
    this.inFlight.delete(request);
  }
}

function answerRefusal(reply: FastifyReply, close: boolean): void {
  if (reply.sent || reply.raw.destroyed) return;
  if (close) reply.header('connection', 'close');
  reply.code(503).header('retry-after', '5').type('application/json; charset=utf-8').send(REFUSAL_BODY);
}
