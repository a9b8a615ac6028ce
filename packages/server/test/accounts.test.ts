/**
 * Team accounts over HTTP against the real server: the first-start owner link, sign-in and its
 * hostile cases (session fixation, CSRF, brute force, passwords never returned or logged),
 * invitations, roles and membership, personal tokens, the audit log, project settings and the CLI.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { cliPath, startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { createOwner, inviteAndJoin, linkToken, SessionClient } from '../../../tests/helpers/accounts.js';

const run = promisify(execFile);
const OWNER_PASSWORD = 'owner-password-1';

describe('team accounts', { timeout: 180_000 }, () => {
  let server: RunningServer;
  let owner: SessionClient;
  let projectB: number;

  before(async () => {
    // trace: every request and response is logged, so the test can prove no password is.
    server = await startServer({ env: { PROLIFERATE_LOG_LEVEL: 'trace' } });
    projectB = (await server.api('/api/0/projects/', { body: { name: 'Billing' } })).body.id;
  });
  after(async () => {
    await server?.stop();
  });

  test('the first start prints a one-time link that creates the owner, and it works only once', async () => {
    assert.ok(server.setupUrl, 'the start-up line has setupUrl');
    assert.match(server.setupUrl!, /\/setup-owner#token=/);
    const config = await new SessionClient(server.url).get('/api/0/auth/config/');
    assert.equal(config.body.setupNeeded, true);
    const wrong = await new SessionClient(server.url).post('/api/0/auth/setup/', { token: 'x'.repeat(43), email: 'eve@example.com', password: 'eve-password-1' });
    assert.equal(wrong.status, 403);
    owner = await createOwner(server.url, server.setupUrl!, 'owner@example.com', OWNER_PASSWORD);
    const me = await owner.get('/api/0/auth/me/');
    assert.equal(me.body.role, 'owner');
    assert.equal(me.body.projects, null, 'an owner sees every project');
    const again = await new SessionClient(server.url).post('/api/0/auth/setup/', { token: linkToken(server.setupUrl!), email: 'eve@example.com', password: 'eve-password-1' });
    assert.equal(again.status, 409);
    assert.equal((await owner.get('/api/0/auth/config/')).body.setupNeeded, false);
  });

  test('the session cookie is HttpOnly and SameSite=Lax, and a cookie write without the CSRF token is refused', async () => {
    const client = new SessionClient(server.url);
    const answer = await client.signIn('owner@example.com', OWNER_PASSWORD);
    const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('proliferate_session='))!;
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.doesNotMatch(cookie, /Secure/i, 'plain http: no Secure flag, or the browser would drop it');
    const forged = await client.request('POST', '/api/0/projects/', { name: 'Forged' }, { csrf: null });
    assert.equal(forged.status, 403);
    assert.equal(forged.body.error.code, 'csrf_failed');
    const wrongToken = await client.request('POST', '/api/0/projects/', { name: 'Forged' }, { csrf: 'a'.repeat(43) });
    assert.equal(wrongToken.status, 403);
    assert.ok(!(await server.api('/api/0/projects/')).body.some((p: { name: string }) => p.name === 'Forged'));
    // Reads need no token; the same session with its token can write.
    assert.equal((await client.get('/api/0/projects/')).status, 200);
    const made = await client.post('/api/0/projects/', { name: 'Made by cookie' });
    assert.equal(made.status, 201);
  });

  test('behind HTTPS (trusted proxy) the session cookie is Secure', async () => {
    const proxied = await startServer({ env: { PROLIFERATE_TRUST_PROXY: 'true' } });
    try {
      await createOwner(proxied.url, proxied.setupUrl!);
      const client = new SessionClient(proxied.url);
      const answer = await client.request('POST', '/api/0/auth/sign-in/', { email: 'owner@example.com', password: OWNER_PASSWORD }, { headers: { 'x-forwarded-proto': 'https' } });
      assert.equal(answer.status, 200);
      assert.match(answer.headers.getSetCookie().join('\n'), /proliferate_session=[^;]+;.*Secure/i);
    } finally {
      await proxied.stop();
    }
  });

  test('session fixation: a session id set before sign-in is never adopted, and the old one stops working', async () => {
    const attacker = new SessionClient(server.url);
    await attacker.signIn('owner@example.com', OWNER_PASSWORD);
    const planted = attacker.cookie!;
    // The victim's browser carries the planted cookie when it signs in.
    const victim = new SessionClient(server.url);
    victim.cookie = planted;
    await victim.signIn('owner@example.com', OWNER_PASSWORD);
    assert.notEqual(victim.cookie, planted, 'sign-in issues a fresh session id');
    assert.equal((await attacker.get('/api/0/auth/me/')).status, 401, 'the planted session was ended');
    assert.equal((await victim.get('/api/0/auth/me/')).status, 200);
    // A made-up cookie value is no session at all.
    assert.equal((await new SessionClient(server.url).request('GET', '/api/0/auth/me/', undefined, { cookie: 'proliferate_session=made-up' })).status, 401);
  });

  test('brute force: after 5 wrong passwords for an account, even the right one is refused with 429 and Retry-After', async () => {
    await owner.post('/api/0/invitations/', { email: 'target@example.com', role: 'viewer' });
    const target = await inviteAndJoin(owner, 'target2@example.com', 'viewer', [], 'target-password-1');
    assert.ok(target.cookie);
    const guesser = new SessionClient(server.url);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await guesser.post('/api/0/auth/sign-in/', { email: 'target2@example.com', password: `guess-${i}-xxxxx` })).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
    const right = await guesser.post('/api/0/auth/sign-in/', { email: 'target2@example.com', password: 'target-password-1' });
    assert.equal(right.status, 429);
    assert.ok(Number(right.headers.get('retry-after')) > 0);
    // Another account is not locked by it.
    assert.equal((await guesser.post('/api/0/auth/sign-in/', { email: 'owner@example.com', password: OWNER_PASSWORD })).status, 200);
    const log = (await owner.get('/api/0/audit-log/?limit=100')).body as Array<{ action: string; target: string }>;
    assert.equal(log.filter((e) => e.action === 'sign_in.failed' && e.target === 'target2@example.com').length, 5);
    assert.ok(log.some((e) => e.action === 'sign_in.throttled'));
  });

  test('an unknown e-mail and a wrong password get the same answer', async () => {
    const a = await new SessionClient(server.url).post('/api/0/auth/sign-in/', { email: 'nobody@example.com', password: 'whatever-123' });
    const b = await new SessionClient(server.url).post('/api/0/auth/sign-in/', { email: 'owner@example.com', password: 'whatever-123' });
    assert.equal(a.status, 401);
    assert.deepEqual(a.body, b.body);
  });

  test('a viewer reads its project but cannot resolve (403), and does not see other projects', async () => {
    const viewer = await inviteAndJoin(owner, 'viewer@example.com', 'viewer', [Number(server.projectId)]);
    const projects = (await viewer.get('/api/0/projects/')).body as Array<{ id: number }>;
    assert.deepEqual(projects.map((p) => p.id), [Number(server.projectId)]);
    assert.equal((await viewer.get(`/api/0/projects/${projectB}/`)).status, 404);
    assert.equal((await viewer.get(`/api/0/projects/${projectB}/issues/`)).status, 404);
    const resolve = await viewer.put(`/api/0/projects/${server.projectId}/issues/?id=1`, { status: 'resolved' });
    assert.equal(resolve.status, 403);
    assert.equal(resolve.body.error.code, 'forbidden');
  });

  test('an owner changes a role and memberships; the change applies to open sessions at once and is audited', async () => {
    const member = await inviteAndJoin(owner, 'member@example.com', 'member', [projectB]);
    assert.deepEqual(((await member.get('/api/0/projects/')).body as Array<{ id: number }>).map((p) => p.id), [projectB]);
    const users = (await owner.get('/api/0/users/')).body as Array<{ id: number; email: string }>;
    const id = users.find((u) => u.email === 'member@example.com')!.id;
    const changed = await owner.put(`/api/0/users/${id}/`, { role: 'viewer', projectIds: [Number(server.projectId)] });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.role, 'viewer');
    assert.deepEqual(((await member.get('/api/0/projects/')).body as Array<{ id: number }>).map((p) => p.id), [Number(server.projectId)]);
    assert.equal((await member.post(`/api/0/projects/${server.projectId}/keys/`, {})).status, 403);
    const log = (await owner.get('/api/0/audit-log/')).body as Array<{ action: string; details: Record<string, unknown> }>;
    assert.ok(log.some((e) => e.action === 'user.role_changed' && e.details.from === 'member' && e.details.to === 'viewer'));
    // An admin cannot make an owner, and the last owner cannot be demoted.
    const me = users.find((u) => u.email === 'owner@example.com')!.id;
    assert.equal((await owner.put(`/api/0/users/${me}/`, { role: 'admin' })).status, 409);
    assert.equal((await owner.put(`/api/0/users/${id}/`, { role: 'superuser' })).status, 400);
  });

  test('personal tokens: shown once, hashed, scoped, last-used recorded, refused after revocation', async () => {
    const made = await owner.post('/api/0/auth/tokens/', { name: 'ci', scopes: ['read'], projectId: Number(server.projectId) });
    assert.equal(made.status, 201);
    const secret = made.body.token as string;
    assert.match(secret, /^pfu_/);
    const listed = (await owner.get('/api/0/auth/tokens/')).body as Array<Record<string, unknown>>;
    assert.ok(!JSON.stringify(listed).includes(secret), 'the list never shows the secret');
    const read = await server.api(`/api/0/projects/${server.projectId}/issues/`, { token: secret });
    assert.equal(read.status, 200);
    assert.equal((await server.api(`/api/0/projects/${projectB}/`, { token: secret })).status, 404, 'limited to its project');
    assert.equal((await server.api(`/api/0/projects/${server.projectId}/keys/`, { token: secret, method: 'POST', body: {} })).status, 403, 'read scope cannot write');
    assert.ok(((await owner.get('/api/0/auth/tokens/')).body as Array<{ id: number; lastUsedAt: string | null }>).find((t) => t.id === made.body.id)!.lastUsedAt);
    // A token cannot mint tokens; only a session can.
    assert.equal((await server.api('/api/0/auth/tokens/', { token: secret })).status, 403);
    assert.equal((await owner.delete(`/api/0/auth/tokens/${made.body.id}/`)).status, 204);
    assert.equal((await server.api(`/api/0/projects/${server.projectId}/issues/`, { token: secret })).status, 401);
    const log = (await owner.get('/api/0/audit-log/')).body as Array<{ action: string }>;
    assert.ok(log.some((e) => e.action === 'token.created') && log.some((e) => e.action === 'token.revoked'));
  });

  test('project settings: linked repository validated, rename, slug conflict, key rename and rotate, delete needs the slug', async () => {
    const id = projectB;
    const bad = await owner.put(`/api/0/projects/${id}/`, { repository: { url: 'javascript:alert(1)' } });
    assert.equal(bad.status, 400);
    const set = await owner.put(`/api/0/projects/${id}/`, {
      name: 'Billing API',
      description: 'Invoices and payments',
      platform: 'node',
      repository: { url: 'https://github.com/acme/billing.git', defaultBranch: 'trunk' },
    });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body.repository, { url: 'https://github.com/acme/billing', defaultBranch: 'trunk' });
    assert.equal((await owner.put(`/api/0/projects/${id}/`, { slug: 'default' })).status, 409);
    const key = (await owner.get(`/api/0/projects/${id}/keys/`)).body[0].publicKey as string;
    assert.equal((await owner.put(`/api/0/projects/${id}/keys/${key}/`, { label: 'Production' })).body.label, 'Production');
    const rotated = await owner.post(`/api/0/projects/${id}/keys/${key}/rotate/`);
    assert.equal(rotated.status, 201);
    assert.equal(rotated.body.label, 'Production');
    const envelope = await fetch(`${server.url}/api/${id}/envelope/?sentry_key=${key}`, { method: 'POST', body: '{}\n{"type":"event"}\n{"message":"x"}\n' });
    assert.equal(envelope.status, 403, 'the rotated-out key is refused at once');
    const slug = (await owner.get(`/api/0/projects/${id}/`)).body.slug as string;
    assert.equal((await owner.delete(`/api/0/projects/${id}/`, { confirm: 'wrong' })).status, 400);
    assert.equal((await owner.delete(`/api/0/projects/${id}/`, { confirm: slug })).status, 204);
    assert.equal((await owner.get(`/api/0/projects/${id}/`)).status, 404);
    const log = (await owner.get('/api/0/audit-log/')).body as Array<{ action: string }>;
    for (const action of ['project.created', 'key.rotated', 'project.deleted']) assert.ok(log.some((e) => e.action === action), action);
  });

  test('password change ends other sessions; sign out everywhere ends all', async () => {
    const user = await inviteAndJoin(owner, 'pw@example.com', 'member', [], 'first-password-1');
    const other = new SessionClient(server.url);
    await other.signIn('pw@example.com', 'first-password-1');
    assert.equal((await user.put('/api/0/auth/password/', { currentPassword: 'nope-nope-nope', newPassword: 'second-password-2' })).status, 403);
    assert.equal((await user.put('/api/0/auth/password/', { currentPassword: 'first-password-1', newPassword: 'short' })).status, 400);
    assert.equal((await user.put('/api/0/auth/password/', { currentPassword: 'first-password-1', newPassword: 'second-password-2' })).status, 200);
    assert.equal((await other.get('/api/0/auth/me/')).status, 401);
    assert.equal((await user.get('/api/0/auth/me/')).status, 200);
    const third = new SessionClient(server.url);
    await third.signIn('pw@example.com', 'second-password-2');
    assert.equal((await user.post('/api/0/auth/sign-out-everywhere/')).status, 204);
    assert.equal((await third.get('/api/0/auth/me/')).status, 401);
    assert.equal((await user.get('/api/0/auth/me/')).status, 401);
  });

  test('invitations are single-use and can be revoked; without SMTP a reset points to the CLI', async () => {
    const invitation = await owner.post('/api/0/invitations/', { email: 'late@example.com', role: 'member' });
    assert.equal(invitation.body.emailed, false);
    assert.ok(new Date(invitation.body.expiresAt).getTime() - Date.now() > 6 * 24 * 3_600_000);
    assert.equal((await owner.delete(`/api/0/invitations/${invitation.body.id}/`)).status, 204);
    const accept = await new SessionClient(server.url).post('/api/0/auth/accept-invite/', { token: linkToken(invitation.body.url), password: 'late-password-1' });
    assert.equal(accept.status, 403);
    const reset = await new SessionClient(server.url).post('/api/0/auth/password-reset/', { email: 'owner@example.com' });
    assert.equal(reset.status, 409);
    assert.equal(reset.body.error.code, 'reset_by_cli');
  });

  test('the CLI creates, lists, re-roles and deletes users, reading the password from standard input', async () => {
    const cli = (args: string[], input?: string) =>
      new Promise<{ code: number; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, [cliPath, ...args, '--data-dir', server.dataDir], { env: { ...process.env, ...server.storeEnv } });
        let out = '';
        let err = '';
        child.stdout.on('data', (c) => (out += c));
        child.stderr.on('data', (c) => (err += c));
        child.stdin.end(input ?? '');
        child.on('close', (code) => resolve({ code: code ?? 1, out, err }));
      });
    const slug = (await owner.get(`/api/0/projects/${server.projectId}/`)).body.slug as string;
    const created = await cli(['user', 'create', 'cli@example.com', '--role', 'member', '--project', slug, '--password-stdin'], 'cli-password-1\n');
    assert.equal(created.code, 0, created.err);
    assert.deepEqual(JSON.parse(created.out).projectIds, [Number(server.projectId)]);
    assert.ok(!created.out.includes('cli-password-1'));
    await new SessionClient(server.url).signIn('cli@example.com', 'cli-password-1');
    assert.equal((await cli(['user', 'create', 'x@example.com', '--role', 'member', '--password-stdin'], 'short\n')).code, 2);
    assert.equal((await cli(['user', 'create', 'x@example.com', '--role', 'king', '--password-stdin'], 'long-enough-1\n')).code, 2);
    const listed = JSON.parse((await cli(['user', 'list'])).out) as Array<{ email: string; role: string }>;
    assert.ok(listed.some((u) => u.email === 'cli@example.com' && u.role === 'member'));
    assert.ok(!JSON.stringify(listed).includes('scrypt'));
    assert.equal((await cli(['user', 'set-role', 'cli@example.com', '--role', 'admin'])).code, 0);
    assert.equal((await cli(['user', 'set-password', 'cli@example.com', '--password-stdin'], 'cli-password-2\n')).code, 0);
    await new SessionClient(server.url).signIn('cli@example.com', 'cli-password-2');
    assert.equal((await cli(['user', 'delete', 'owner@example.com'])).code, 2, 'the last owner stays');
    assert.equal((await cli(['user', 'delete', 'cli@example.com'])).code, 0);
    const { stdout } = await run(process.execPath, [cliPath, 'user', '--help']);
    assert.match(stdout, /--password-stdin/);
  });

  test('passwords are never returned or logged, and no stored hash leaves the server', async () => {
    const everything = JSON.stringify([(await owner.get('/api/0/users/')).body, (await owner.get('/api/0/audit-log/?limit=500')).body, (await owner.get('/api/0/auth/me/')).body]);
    assert.ok(!everything.includes('scrypt$'), 'no password hash in API answers');
    assert.ok(everything.includes('owner@example.com'));
    const printed = server.output();
    assert.ok(printed.includes('"url"'), 'the trace-level log was captured');
    for (const secret of [OWNER_PASSWORD, 'target-password-1', 'second-password-2', 'cli-password-1', 'guess-3-xxxxx']) {
      assert.ok(!printed.includes(secret), `the log never contains ${secret}`);
      assert.ok(!everything.includes(secret));
    }
  });
});
