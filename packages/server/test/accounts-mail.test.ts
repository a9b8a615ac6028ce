/**
 * With PROLIFERATE_SMTP_URL set, invitations and password resets go out by e-mail: a real SMTP
 * receiver (smtp-server) started by the test takes the messages, and the links in them work.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { createOwner, linkToken, SessionClient } from '../../../tests/helpers/accounts.js';

interface Mail {
  to: string[];
  text: string;
}

let smtp: SMTPServer;
let server: RunningServer;
const inbox: Mail[] = [];

before(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let text = '';
      stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      stream.on('end', () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), text: text.replace(/=\r?\n/g, '').replace(/=3D/g, '=') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  const { port } = smtp.server.address() as { port: number };
  server = await startServer({ env: { PROLIFERATE_SMTP_URL: `smtp://127.0.0.1:${port}`, PROLIFERATE_EMAIL_FROM: 'Proliferate <errors@example.com>' } });
});

after(async () => {
  await server?.stop();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

const linkIn = (mail: Mail | undefined) => /https?:\/\/\S+#token=[A-Za-z0-9_-]+/.exec(mail?.text ?? '')?.[0];

test('an invitation is e-mailed, and the link in the message creates the account', async () => {
  const owner = await createOwner(server.url, server.setupUrl!);
  const invitation = await owner.post('/api/0/invitations/', { email: 'new@example.com', role: 'member', projectIds: [Number(server.projectId)] });
  assert.equal(invitation.body.emailed, true);
  const mail = inbox.find((m) => m.to.includes('new@example.com'));
  assert.ok(mail, 'the invitation arrived');
  assert.match(mail.text, /From: Proliferate <errors@example.com>/);
  const link = linkIn(mail)!;
  assert.equal(link, invitation.body.url);
  const joined = new SessionClient(server.url);
  assert.equal((await joined.post('/api/0/auth/accept-invite/', { token: linkToken(link), password: 'new-password-1' })).status, 201);
});

test('a password reset is e-mailed to an existing account only, and its link sets a new password once and ends sessions', async () => {
  const before = inbox.length;
  const unknown = await new SessionClient(server.url).post('/api/0/auth/password-reset/', { email: 'nobody@example.com' });
  assert.equal(unknown.status, 202);
  const session = new SessionClient(server.url);
  await session.signIn('new@example.com', 'new-password-1');
  const known = await new SessionClient(server.url).post('/api/0/auth/password-reset/', { email: 'new@example.com' });
  assert.equal(known.status, 202);
  assert.deepEqual(known.body, unknown.body, 'the answer does not tell whether the account exists');
  assert.equal(inbox.length, before + 1);
  const link = linkIn(inbox.at(-1))!;
  assert.match(link, /\/reset-password#token=/);
  const client = new SessionClient(server.url);
  assert.equal((await client.post('/api/0/auth/password-reset/complete/', { token: linkToken(link), password: 'short' })).status, 400);
  assert.equal((await client.post('/api/0/auth/password-reset/complete/', { token: linkToken(link), password: 'reset-password-2' })).status, 200);
  assert.equal((await client.post('/api/0/auth/password-reset/complete/', { token: linkToken(link), password: 'reset-password-3' })).status, 403);
  assert.equal((await session.get('/api/0/auth/me/')).status, 401, 'the old session ended');
  await new SessionClient(server.url).signIn('new@example.com', 'reset-password-2');
});
