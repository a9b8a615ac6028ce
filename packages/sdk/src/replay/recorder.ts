/**
 * Records the page with rrweb and sends it in segments. Two modes, chosen once per page load:
 * - `session`: every recorded event is sent, in a segment every `flushIntervalMs`;
 * - `buffer`: the last `bufferMs` stay in memory only, and nothing is sent until an error is
 *   captured; then the buffer goes out and recording continues as in session mode.
 * A buffered replay keeps ~`bufferMs`: rrweb takes a full snapshot every `bufferMs / 2`, and
 * what came before the previous snapshot is dropped (a replay must start at a snapshot).
 */
import { record } from 'rrweb';
import type { Client } from '../core/client.js';
import { debug } from '../core/debug.js';
import { maskEventAttributes, privacyRecordOptions, type PrivacyOptions } from './privacy.js';
import { recordingPayload, segmentEnvelope } from './segment.js';

export interface RecorderOptions extends PrivacyOptions {
  flushIntervalMs: number;
  bufferMs: number;
}

interface RecordedEvent {
  type: number;
  timestamp: number;
  data?: unknown;
}

function replayId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class Recorder {
  readonly id = replayId();
  private events: RecordedEvent[] = [];
  /** Index in `events` of the latest full snapshot (buffer mode trims to the one before it). */
  private lastCheckout = 0;
  private segmentId = 0;
  private startedMs = Date.now();
  private errorIds: string[] = [];
  private urls: string[] = [];
  private stopRecording: (() => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private sending: Promise<void> = Promise.resolve();
  readonly replayType: 'session' | 'buffer';

  constructor(
    private readonly client: Client,
    private mode: 'session' | 'buffer',
    private readonly options: RecorderOptions,
  ) {
    this.replayType = mode;
  }

  start(): void {
    this.noteUrl();
    this.stopRecording = record({
      ...privacyRecordOptions(this.options),
      emit: (event, isCheckout) => this.onEvent(event as RecordedEvent, Boolean(isCheckout)),
      checkoutEveryNms: this.mode === 'buffer' ? this.options.bufferMs / 2 : undefined,
    }) as (() => void) | undefined;
    if (this.mode === 'session') this.startTimer();
  }

  private startTimer(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushIntervalMs);
  }

  private noteUrl(): void {
    const url = typeof location === 'object' ? location.href : undefined;
    if (url && this.urls.at(-1) !== url) this.urls.push(url);
  }

  private onEvent(event: RecordedEvent, isCheckout: boolean): void {
    maskEventAttributes(event);
    if (isCheckout && this.mode === 'buffer') {
      this.events = this.events.slice(this.lastCheckout);
      this.startedMs = this.events[0]?.timestamp ?? event.timestamp;
      this.lastCheckout = this.events.length;
    }
    this.events.push(event);
  }

  /** An error was captured: it joins the replay, and a buffered replay starts being sent. */
  onError(eventId: string): void {
    if (!this.errorIds.includes(eventId)) this.errorIds.push(eventId);
    if (this.mode === 'buffer') {
      this.mode = 'session';
      this.startTimer();
    }
    // Soon, so the moments right after the error are in the segment that names it.
    setTimeout(() => void this.flush(), 500);
  }

  /** Sends what is recorded since the last segment (in session mode). */
  flush(): Promise<void> {
    this.sending = this.sending.then(() => this.sendSegment()).catch((error) => debug.error('replay segment not sent', error));
    return this.sending;
  }

  private async sendSegment(): Promise<void> {
    if (this.mode !== 'session' || this.events.length === 0) return;
    this.noteUrl();
    const events = this.events;
    this.events = [];
    this.lastCheckout = 0;
    const meta = {
      replayId: this.id,
      segmentId: this.segmentId++,
      startedMs: this.startedMs,
      replayType: this.replayType,
      errorIds: this.errorIds,
      urls: this.urls,
    };
    this.errorIds = [];
    this.urls = [];
    this.client.sendEnvelope(segmentEnvelope(this.client, meta, await recordingPayload(meta.segmentId, events)));
  }

  stop(): void {
    clearInterval(this.timer);
    this.stopRecording?.();
  }
}
