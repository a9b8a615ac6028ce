/**
 * Real receivers for alert tests: an HTTP server that records every POST (and checks the
 * X-Proliferate-Signature of generic webhooks the way docs/alerts.md tells receivers to), and an
 * SMTP server (smtp-server) that records every message.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedPost {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: any;
  /** For requests to /webhook/: whether the signature matched the secret. */
  signatureValid: boolean | null;
}

/** The verification a receiver does (docs/alerts.md): HMAC-SHA256 of the raw body, compared in constant time. */
export function verifySignature(secret: string, raw: string, header: string | undefined): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(raw).digest('hex'));
  const given = Buffer.from(header.slice('sha256='.length));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export class HttpReceiver {
  readonly posts: ReceivedPost[] = [];
  private server: Server | null = null;
  port = 0;

  constructor(private readonly secret: string) {}

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const signature = req.headers['x-proliferate-signature'];
        this.posts.push({
          path: req.url ?? '',
          headers: req.headers,
          raw,
          body: JSON.parse(raw),
          signatureValid: req.url?.startsWith('/webhook') ? verifySignature(this.secret, raw, typeof signature === 'string' ? signature : undefined) : null,
        });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  to(path: string): ReceivedPost[] {
    return this.posts.filter((p) => p.path === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export class SmtpReceiver {
  readonly mails: ReceivedMail[] = [];
  private server: SMTPServer | null = null;
  port = 0;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      // Plain SMTP with AUTH, as a relay on a private network would take it.
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) =>
        auth.username === 'alerts' && auth.password === 's3cret' ? callback(null, { user: 'alerts' }) : callback(new Error('bad login')),
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://alerts:s3cret@127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(() => resolve(undefined)));
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
