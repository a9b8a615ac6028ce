/**
 * The authorization matrix: every route the server registers (read from Fastify as routes are
 * added, so a route added later is covered without editing this file) × every kind of principal
 * (admin token, owner, admin, member and viewer of project A, member and viewer of project B only,
 * a read-scoped personal token, a token limited to project B, nobody). The expectation comes from
 * the rule in src/api/README.md:
 * - nobody gets 401 on every route that is not public;
 * - a route about project A (its :projectId, :issueId or :traceId) answers 404 to whoever may not
 *   see A, exactly as for a project that does not exist;
 * - a write needs the member role (admin for project settings and keys, admin for people, owner for
 *   the audit log; admin to delete issues and events, erase a person, change retention or
 *   fingerprint rules): below it, 403.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registeredRoutes } from '../src/app.js';
import { readConfig } from '../src/config.js';
import { startServer, type StartedServer } from '../src/server.js';
import { createOwner, inviteAndJoin, SessionClient, type Answer } from '../../../tests/helpers/accounts.js';
import type { Role } from '../src/store/account-types.js';

interface Principal {
  name: string;
  role: Role | null;
  seesA: boolean;
  /** Tokens limited to one project never do organization-wide actions. */
  orgWide: boolean;
  call(method: string, path: string, body?: unknown): Promise<Answer>;
}

/** Routes anyone may call (signing in, accepting an invitation...), and the ones outside the API. */
const PUBLIC = [/^\/api\/0\/auth\/(config|setup|sign-in|password-reset|password-reset\/complete|invitation|accept-invite)\/$/, /^\/api\/0\/auth\/oidc\//];
const OUTSIDE_API = (url: string) => !url.startsWith('/api/0/') || url === '/api/0/openapi.json';
/** These end the session that calls them; their own tests are in accounts.test.ts. */
const ENDS_SESSION = new Set(['POST /api/0/auth/sign-out/', 'POST /api/0/auth/sign-out-everywhere/']);
/** Managed only from a session, by the user themself. */
const OWN_ACCOUNT = /^\/api\/0\/auth\/(me|password|tokens)\//;
/** Deleting routes: each call gets its own fresh event or issue in project A, so one deletion does not change what the next principal sees. */
const DESTRUCTIVE = new Set(['DELETE /api/0/issues/:issueId/', 'DELETE /api/0/projects/:projectId/events/:eventId/']);
const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

function requiredRole(method: string, url: string): Role {
  if (url.startsWith('/api/0/audit-log/')) return 'owner';
  if (url.startsWith('/api/0/users/') || url.startsWith('/api/0/invitations/')) return 'admin';
  if (method === 'GET') return 'viewer';
  if (method === 'POST' && url === '/api/0/projects/') return 'admin';
  if (/^\/api\/0\/projects\/:projectId\/(keys\/.*)?$/.test(url)) return 'admin';
  if (method === 'PUT' && url === '/api/0/projects/:projectId/ingest-policy/') return 'admin';
  if (method === 'PUT' && url === '/api/0/projects/:projectId/fingerprint-rules/') return 'admin';
  if (url === '/api/0/erasures/' || url.endsWith('/retention/') || DESTRUCTIVE.has(`${method} ${url}`)) return 'admin';
  return 'member';
}

const isOrgWide = (url: string) => url.startsWith('/api/0/users/') || url.startsWith('/api/0/invitations/') || url.startsWith('/api/0/audit-log/') || url === '/api/0/projects/';
const aboutProjectA = (url: string) => /:(projectId|issueId|traceId)\b/.test(url);
const DENIAL_404 = /^(project|issue|trace) not found$/;

describe('route matrix: every route × every role × member / non-member', { timeout: 300_000 }, () => {
  let server: StartedServer;
  let dataDir: string;
  let principals: Principal[] = [];
  const fixtures: Record<string, string> = {};
  let freshEvent: () => Promise<{ eventId: string; issueId: number }>;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'proliferate-matrix-'));
    server = await startServer(readConfig({ port: '0', 'data-dir': dataDir }, { PROLIFERATE_LOG_LEVEL: 'silent' }));
    const base = server.url;
    const adminToken = server.adminToken!;
    const bearer = (token: string) => (method: string, path: string, body?: unknown) =>
      new SessionClient(base).request(method, path, body, { headers: { authorization: `Bearer ${token}` } });
    const a = server.defaultProject;
    const b = (await bearer(adminToken)('POST', '/api/0/projects/', { name: 'Project B' })).body as { id: number };
    // One event with a trace in A, for the issue, event and trace routes.
    const traceId = 'ab'.repeat(16);
    const t = Date.now() / 1000;
    const transaction = { type: 'transaction', transaction: 'GET /', start_timestamp: t, timestamp: t + 0.05, contexts: { trace: { trace_id: traceId, span_id: 'cd'.repeat(8) } } };
    const event = { event_id: 'ef'.repeat(16), message: 'matrix', contexts: { trace: { trace_id: traceId, span_id: 'cd'.repeat(8) } } };
    const sent = await fetch(`${base}/api/${a.id}/envelope/?sentry_key=${a.publicKey}`, {
      method: 'POST',
      body: `{}\n{"type":"event"}\n${JSON.stringify(event)}\n{"type":"transaction"}\n${JSON.stringify(transaction)}\n`,
    });
    assert.equal(sent.status, 200);
    let issueId: number | undefined;
    for (let i = 0; i < 100 && !issueId; i++) {
      issueId = ((await bearer(adminToken)('GET', `/api/0/projects/${a.id}/issues/`)).body as Array<{ id: number }>)[0]?.id;
      if (!issueId) await new Promise((r) => setTimeout(r, 50));
    }
    Object.assign(fixtures, { projectId: String(a.id), issueId: String(issueId), traceId, eventId: 'ef'.repeat(16), key: 'environment', publicKey: 'pk_not_a_key', userId: '999999', invitationId: '999999', tokenId: '999999' });

    let fresh = 0;
    freshEvent = async () => {
      const eventId = (0xd0000000 + ++fresh).toString(16).padStart(32, '0');
      const body = `{}\n{"type":"event"}\n${JSON.stringify({ event_id: eventId, message: `doomed ${fresh}`, fingerprint: [`doomed-${fresh}`] })}\n`;
      assert.equal((await fetch(`${base}/api/${a.id}/envelope/?sentry_key=${a.publicKey}`, { method: 'POST', body })).status, 200);
      const stored = (await bearer(adminToken)('GET', `/api/0/projects/${a.id}/events/${eventId}/`)).body as { issueId: number };
      return { eventId, issueId: stored.issueId };
    };
    const owner = await createOwner(base, server.setupUrl!);
    const session = (client: SessionClient) => (method: string, path: string, body?: unknown) => client.request(method, path, body);
    const admin = await inviteAndJoin(owner, 'admin@example.com', 'admin', []);
    const memberA = await inviteAndJoin(owner, 'member-a@example.com', 'member', [a.id]);
    const memberB = await inviteAndJoin(owner, 'member-b@example.com', 'member', [b.id]);
    const viewerA = await inviteAndJoin(owner, 'viewer-a@example.com', 'viewer', [a.id]);
    const viewerB = await inviteAndJoin(owner, 'viewer-b@example.com', 'viewer', [b.id]);
    const readToken = (await owner.post('/api/0/auth/tokens/', { name: 'read', scopes: ['read'] })).body.token as string;
    const projectBToken = (await server.store.createToken({ name: 'b only', projectId: b.id })).token;
    principals = [
      { name: 'nobody', role: null, seesA: false, orgWide: false, call: (m, p, body) => new SessionClient(base).request(m, p, body) },
      { name: 'admin token', role: 'owner', seesA: true, orgWide: true, call: bearer(adminToken) },
      { name: 'owner', role: 'owner', seesA: true, orgWide: true, call: session(owner) },
      { name: 'admin', role: 'admin', seesA: true, orgWide: true, call: session(admin) },
      { name: 'member of A', role: 'member', seesA: true, orgWide: true, call: session(memberA) },
      { name: 'member of B only', role: 'member', seesA: false, orgWide: true, call: session(memberB) },
      { name: 'viewer of A', role: 'viewer', seesA: true, orgWide: true, call: session(viewerA) },
      { name: 'viewer of B only', role: 'viewer', seesA: false, orgWide: true, call: session(viewerB) },
      { name: 'read-scoped personal token (owner)', role: 'viewer', seesA: true, orgWide: true, call: bearer(readToken) },
      { name: 'token limited to project B', role: 'admin', seesA: false, orgWide: false, call: bearer(projectBToken) },
    ];
  });

  after(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('every API route gives each principal what its role and membership allow', async (t) => {
    const routes = registeredRoutes(server.app)
      .flatMap((r) => [r.method].flat().filter((m) => m !== 'HEAD').map((method) => ({ method, url: r.url, access: r.config?.access })))
      .filter((r) => !OUTSIDE_API(r.url) && r.access !== 'public');
    assert.ok(routes.length >= 40, `found ${routes.length} API routes`);
    // Opting out of authorization is deliberate: a route that declares itself public must be listed here.
    const declaredPublic = registeredRoutes(server.app).filter((r) => r.config?.access === 'public' && !OUTSIDE_API(r.url) && r.url !== '/api/0/openapi.json');
    for (const r of declaredPublic) assert.ok(PUBLIC.some((p) => p.test(r.url)), `${r.url} is public but not in this test's PUBLIC list`);
    const failures: string[] = [];
    let checks = 0;
    for (const route of routes) {
      const label = `${route.method} ${route.url}`;
      const pathFor = async () => {
        const ids: Record<string, string> = { ...fixtures };
        if (DESTRUCTIVE.has(label)) {
          const doomed = await freshEvent();
          Object.assign(ids, { eventId: doomed.eventId, issueId: String(doomed.issueId) });
        }
        return route.url.replace(/:(\w+)/g, (_, name: string) => ids[name] ?? '1');
      };
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      for (const who of principals) {
        if (ENDS_SESSION.has(label) && who.role !== null) continue;
        const answer = await who.call(route.method, await pathFor(), body);
        checks++;
        const denied = answer.status === 401 || answer.status === 403 || (answer.status === 404 && DENIAL_404.test(answer.body?.error?.message ?? ''));
        const fail = (why: string) => failures.push(`${label} as ${who.name}: ${why} (got ${answer.status} ${JSON.stringify(answer.body).slice(0, 160)})`);
        if (answer.status >= 500) fail('server error');
        else if (who.role === null) {
          if (answer.status !== 401) fail('expected 401');
        } else if (OWN_ACCOUNT.test(route.url)) {
          // Own-account routes: any signed-in user; tokens and passwords only from a session.
          if (answer.status === 401) fail('a signed-in principal was refused as unauthenticated');
        } else if (aboutProjectA(route.url) && !who.seesA) {
          // A role that cannot make this write at all is refused first, with the same 403 for any
          // id (existing or not), so nothing is learned; otherwise project A does not exist for it.
          const roleTooLow = RANK[who.role] < RANK[requiredRole(route.method, route.url)];
          if (answer.status !== 404 && !(answer.status === 403 && roleTooLow)) fail('expected 404: project A must not exist for a non-member');
        } else {
          const needed = requiredRole(route.method, route.url);
          const allowed = RANK[who.role] >= RANK[needed] && (who.orgWide || !isOrgWide(route.url) || route.url === '/api/0/projects/' && route.method === 'GET');
          if (allowed && denied) fail(`expected access (${needed} needed)`);
          if (!allowed && answer.status !== 403) fail(`expected 403 (${needed} needed)`);
        }
      }
    }
    t.diagnostic(`${routes.length} routes × ${principals.length} principals: ${checks} requests`);
    assert.deepEqual(failures, []);
  });

  test('a write refused for the role is the same 403 whether the project exists or not', async () => {
    const viewerB = principals.find((p) => p.name === 'viewer of B only')!;
    const existing = await viewerB.call('PUT', `/api/0/projects/${fixtures.projectId}/issues/?id=1`, { status: 'resolved' });
    const missing = await viewerB.call('PUT', '/api/0/projects/987654/issues/?id=1', { status: 'resolved' });
    assert.equal(existing.status, 403);
    assert.deepEqual(existing.body, missing.body);
  });

  test('lists show only visible projects, to every kind of principal', async () => {
    const expected: Record<string, number> = { 'member of A': 1, 'member of B only': 1, 'viewer of A': 1, 'viewer of B only': 1, 'token limited to project B': 1, owner: 2, admin: 2, 'admin token': 2 };
    for (const who of principals) {
      if (!(who.name in expected)) continue;
      const list = (await who.call('GET', '/api/0/projects/')).body as Array<{ id: number }>;
      assert.equal(list.length, expected[who.name], who.name);
      assert.equal(list.some((p) => String(p.id) === fixtures.projectId), who.seesA, who.name);
    }
  });
});
