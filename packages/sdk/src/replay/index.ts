/**
 * `@proliferate/sdk/replay`: session replay for the browser SDK, a separate entry so the core
 * bundle does not carry rrweb. Add it to `init`:
 *
 *   import { init } from '@proliferate/sdk/browser';
 *   import { replayIntegration } from '@proliferate/sdk/replay';
 *   init({ dsn, integrations: [replayIntegration({ sessionSampleRate: 0, onErrorSampleRate: 1 })] });
 *
 * Segments are sent as Sentry `replay_event` + `replay_recording` items (one ingest path); every
 * segment names the seed 001 session and window ids, and every error captured while recording
 * carries the replay id (tag `replayId`, context `replay`).
 */
import type { Client } from '../core/client.js';
import { debug } from '../core/debug.js';
import type { Integration } from '../core/options.js';
import type { Event } from '../core/types.js';
import type { PrivacyOptions } from './privacy.js';
import { Recorder } from './recorder.js';

export interface ReplayOptions extends PrivacyOptions {
  /** Share of page loads recorded and sent in full, 0..1. Default 0. */
  sessionSampleRate?: number;
  /**
   * Share of the other page loads that keep the last `bufferMs` in memory and send it only when
   * an error is captured, 0..1. Default 1.
   */
  onErrorSampleRate?: number;
  /** How often a recording session sends a segment, ms. Default 5000. */
  flushIntervalMs?: number;
  /** How much an on-error replay keeps before the error, ms. Default 60000. */
  bufferMs?: number;
}

let active: Recorder | undefined;

const rate = (value: number | undefined, fallback: number) => (typeof value === 'number' && value >= 0 && value <= 1 ? value : fallback);

export function replayIntegration(options: ReplayOptions = {}): Integration {
  return {
    name: 'Replay',
    setup(client: Client) {
      if (typeof document === 'undefined' || !client.isEnabled()) return;
      const mode =
        Math.random() < rate(options.sessionSampleRate, 0) ? 'session' : Math.random() < rate(options.onErrorSampleRate, 1) ? 'buffer' : null;
      if (!mode) return;
      try {
        active?.stop();
        active = new Recorder(client, mode, { ...options, flushIntervalMs: options.flushIntervalMs ?? 5000, bufferMs: options.bufferMs ?? 60_000 });
        active.start();
        // The last segment before the tab goes away; the transport uses keepalive from here on.
        addEventListener('visibilitychange', onHidden);
      } catch (error) {
        debug.error('replay could not start', error);
        active = undefined;
      }
    },
    processEvent(event: Event) {
      if (!active || event.type === 'transaction') return event;
      event.tags = { ...event.tags, replayId: active.id };
      event.contexts = { ...event.contexts, replay: { replay_id: active.id } };
      if (event.event_id && event.exception) active.onError(event.event_id);
      return event;
    },
    teardown() {
      active?.stop();
      active = undefined;
      removeEventListener('visibilitychange', onHidden);
    },
  };
}

function onHidden(): void {
  if (document.visibilityState === 'hidden') void active?.flush();
}

/** The id of the replay being recorded, if any. */
export function getReplayId(): string | undefined {
  return active?.id;
}

/** Sends what is recorded now (session mode, or buffer mode after an error). */
export function flushReplay(): Promise<void> {
  return active?.flush() ?? Promise.resolve();
}

export type { PrivacyOptions } from './privacy.js';
