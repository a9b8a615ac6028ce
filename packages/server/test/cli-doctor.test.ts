import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { promisify } from 'node:util';
import { cliPath, startServer, type RunningServer } from '../../../tests/helpers/server.js';

const execFileAsync = promisify(execFile);
let server: RunningServer;
let smtp: Server;
let other: Server;
const portOf = (s: Server) => (s.address() as AddressInfo).port;
const listen = (s: Server) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));

/** Runs `proliferate doctor`; resolves with exit code and output whether it failed or not. */
async function doctor(args: string[], env: Record<string, string> = {}) {
  const { PROLIFERATE_SMTP_URL: _a, PROLIFERATE_PUBLIC_URL: _b, ...inherited } = process.env;
  try {
    const { stdout } = await execFileAsync(process.execPath, [cliPath, 'doctor', ...args], { env: { ...inherited, ...env } });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

before(async () => {
  server = await startServer();
  // A real SMTP greeting, as a mail server sends it on connect.
  smtp = createServer((socket) => {
    socket.write('220 mail.test ESMTP ready\r\n');
    socket.on('data', () => socket.end('221 bye\r\n'));
  });
  other = createServer((socket) => socket.end('not http\r\n'));
  await Promise.all([listen(smtp), listen(other)]);
});
after(async () => {
  await server.stop();
  smtp.close();
  other.close();
});

test('doctor on a running server: store counted, port taken by Proliferate itself, public URL reached, SMTP greeting read', async () => {
  const result = await doctor(['--data-dir', server.dataDir, '--port', String(server.port), '--public-url', server.url], {
    PROLIFERATE_SMTP_URL: `smtp://user:secret@127.0.0.1:${portOf(smtp)}`,
    PROLIFERATE_EMAIL_FROM: 'alerts@example.com',
  });
  assert.equal(result.code, 0, result.stdout);
  assert.match(result.stdout, /✓ data directory: .*store with 1 project\(s\), 1 API token\(s\)/);
  assert.match(result.stdout, new RegExp(`✓ port: a Proliferate server is already running at http://127.0.0.1:${server.port} \\(sqlite store\\)`));
  assert.match(result.stdout, /✓ public URL: .* reaches a Proliferate server/);
  assert.match(result.stdout, /✓ SMTP: smtp:\/\/127.0.0.1:\d+ answers: 220 mail.test ESMTP ready/);
  assert.doesNotMatch(result.stdout, /secret/);
});

test('doctor says in words when the port belongs to another program and the mail server is unreachable, and exits 1', async () => {
  const closed = createServer();
  await listen(closed);
  const deadPort = portOf(closed);
  await new Promise((resolve) => closed.close(resolve));
  const result = await doctor(['--data-dir', server.dataDir, '--port', String(portOf(other)), '--public-url', 'ftp://errors.example.com'], {
    PROLIFERATE_SMTP_URL: `smtp://127.0.0.1:${deadPort}`,
  });
  assert.equal(result.code, 1);
  assert.match(result.stdout, /✗ port: 127.0.0.1:\d+ is in use by another program \(not a Proliferate server\)/);
  assert.match(result.stdout, /✗ public URL: ftp:\/\/errors.example.com must start with http:\/\/ or https:\/\//);
  assert.match(result.stdout, /✗ SMTP: cannot reach the mail server smtp:\/\/127.0.0.1:\d+: connect ECONNREFUSED/);
  assert.match(result.stdout, /Some checks failed/);
});
