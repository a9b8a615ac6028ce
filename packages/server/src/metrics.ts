/**
 * Prometheus metrics (prom-client: the maintained client the Prometheus docs list for Node.js).
 * One registry per app, so tests that build several apps in a process do not share counters.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export class ServerMetrics {
  readonly registry = new Registry();
  readonly accepted = new Counter({ name: 'proliferate_events_accepted_total', help: 'Items accepted by ingest, by data category', labelNames: ['category'], registers: [this.registry] });
  readonly rejected = new Counter({
    name: 'proliferate_events_rejected_total',
    help: 'Items ingest did not keep, by outcome (filtered, rate_limited, overloaded, invalid) and reason',
    labelNames: ['outcome', 'reason', 'category'],
    registers: [this.registry],
  });
  readonly clientDiscarded = new Counter({ name: 'proliferate_client_discarded_total', help: 'Items the SDKs reported dropping (client reports), by reason', labelNames: ['reason', 'category'], registers: [this.registry] });
  readonly scrubbed = new Counter({ name: 'proliferate_scrubbed_values_total', help: 'Values removed by server-side scrubbing', labelNames: ['rule'], registers: [this.registry] });
  /** Read when scraped: the overload gate's figures (ingest/overload-gate.ts). */
  private gauges = { depth: () => 0, loopDelayMs: () => 0 };
  readonly inFlight: Gauge = new Gauge({
    name: 'proliferate_ingest_queue_depth',
    help: 'Ingest requests being processed (the bounded ingest queue)',
    registers: [this.registry],
    collect: (): void => this.inFlight.set(this.gauges.depth()),
  });
  readonly loopDelay: Gauge = new Gauge({
    name: 'proliferate_event_loop_delay_ms',
    help: 'Event-loop delay seen by the overload gate (ms)',
    registers: [this.registry],
    collect: (): void => this.loopDelay.set(Math.round(this.gauges.loopDelayMs())),
  });
  readonly writeSeconds = new Histogram({
    name: 'proliferate_store_write_seconds',
    help: 'Time from handing a batch to the store to its commit',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly deliveries = new Counter({ name: 'proliferate_notification_deliveries_total', help: 'Alert notification delivery attempts, by channel and result', labelNames: ['channel', 'result'], registers: [this.registry] });

  watch(gauges: { depth: () => number; loopDelayMs: () => number }): void {
    this.gauges = gauges;
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'proliferate_' });
  }
}
