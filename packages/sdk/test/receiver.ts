/** A stand-in ingest endpoint for Node tests: records envelopes (gunzipped) and their headers. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { parseEnvelope } from '@proliferate/protocol';

export interface Received {
  headers: http.IncomingHttpHeaders;
  bytes: number;
  items: Array<{ type: string; payload: any }>;
}

export interface Receiver {
  dsn: string;
  received: Received[];
  events(): any[];
  respond(status: number, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let status = 200;
  let extraHeaders: Record<string, string> = {};
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      const bytes = body.byteLength;
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const envelope = parseEnvelope(new Uint8Array(body));
      received.push({
        headers: req.headers,
        bytes,
        items: envelope.items.map((item) => ({ type: item.headers.type, payload: JSON.parse(new TextDecoder().decode(item.payload)) })),
      });
      res.writeHead(status, extraHeaders).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    dsn: `http://pk_test@127.0.0.1:${port}/1`,
    received,
    events: () => received.flatMap((r) => r.items.filter((i) => i.type === 'event').map((i) => i.payload)),
    respond(nextStatus, headers = {}) {
      status = nextStatus;
      extraHeaders = headers;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
