import type { Store } from '../store/types.js';
import { OutboxWorker, type DeliverySettings } from './delivery.js';
import { AlertEvaluator } from './evaluator.js';

export interface AlertEngineOptions extends Omit<DeliverySettings, 'giveUpAfterMs'> {
  publicUrl: string;
  intervalMs?: number;
  giveUpAfterMs?: number;
  log: (error: unknown, what: string) => void;
}

/**
 * Evaluation and delivery loops, each a timer that reschedules itself when its pass is done (a
 * slow pass never overlaps the next). Both work from the store alone, so stopping and starting
 * the server anywhere in between resumes where the committed state says.
 */
export class AlertEngine {
  private readonly evaluator: AlertEvaluator;
  private readonly worker: OutboxWorker;
  private readonly timers = new Set<NodeJS.Timeout>();
  private running: Promise<unknown>[] = [];
  private stopped = false;
  private readonly intervalMs: number;

  constructor(store: Store, private readonly options: AlertEngineOptions) {
    this.evaluator = new AlertEvaluator(store, options.publicUrl);
    this.worker = new OutboxWorker(store, { ...options, giveUpAfterMs: options.giveUpAfterMs ?? 24 * 3_600_000 });
    this.intervalMs = options.intervalMs ?? 1000;
  }

  start(): void {
    // A full batch means more is waiting: evaluate again at once instead of after the interval.
    this.loop('alert evaluation', async () => (await this.evaluator.runOnce()) >= 2000);
    this.loop('alert delivery', async () => (await this.worker.runOnce()) >= 20);
  }

  private loop(what: string, pass: () => Promise<boolean>): void {
    const schedule = (delay: number) => {
      if (this.stopped) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        const run = pass().then(
          (more) => schedule(more ? 0 : this.intervalMs),
          (error) => {
            this.options.log(error, what);
            schedule(this.intervalMs);
          },
        );
        this.running.push(run);
        void run.finally(() => (this.running = this.running.filter((r) => r !== run)));
      }, delay);
      timer.unref();
      this.timers.add(timer);
    };
    schedule(this.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.allSettled(this.running);
  }
}
