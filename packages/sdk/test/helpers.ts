/** Test helpers: a client whose transport records envelopes instead of sending them. */
import { parseEnvelope } from '@proliferate/protocol';
import { Client, initClient, type ClientOptions, type Event, type Integration, type Transport } from '../src/core/index.js';
import { serialize, type Envelope } from '../src/core/envelope.js';

export interface Recorded {
  client: Client;
  envelopes: Envelope[];
  /** Payloads of every item of this type, parsed back from the wire bytes. */
  items<T = Event>(type?: string): T[];
  events(): Event[];
}

export function recordingClient(options: ClientOptions = {}, integrations: Integration[] = []): Recorded {
  const envelopes: Envelope[] = [];
  const transport: Transport = {
    send(envelope) {
      envelopes.push(envelope);
    },
    flush: async () => true,
  };
  const client = initClient(
    { dsn: 'http://pk_test@127.0.0.1:9/1', transport: () => transport, ...options },
    { platform: 'node', makeTransport: () => transport, sessionId: () => 'session-test', windowId: () => 'window-test' },
    integrations,
  )!;
  const items = <T>(type = 'event'): T[] =>
    envelopes.flatMap((envelope) =>
      parseEnvelope(serialize(envelope))
        .items.filter((item) => item.headers.type === type)
        .map((item) => JSON.parse(new TextDecoder().decode(item.payload)) as T),
    );
  return { client, envelopes, items, events: () => items<Event>('event') };
}
