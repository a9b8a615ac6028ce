/**
 * The account part of the store contract (store/account-types.ts), on every backend (SQLite, and
 * PostgreSQL in a fresh database of the local cluster: contract.fixtures.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from './contract.fixtures.js';
import type { Store } from './types.js';

for (const backend of BACKENDS) {
  describe(`account store contract on ${backend.name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let a: number;
    let b: number;
    before(async () => {
      const opened = await backend.open();
      store = opened.store;
      cleanup = () => opened.cleanup();
      a = (await store.createProject({ name: 'A' })).id;
      b = (await store.createProject({ name: 'B' })).id;
    });
    after(() => cleanup());

    test('users: e-mail is unique without regard to case; memberships and roles change together', async () => {
      const ana = await store.createUser({ email: 'Ana@Example.com', role: 'member', passwordHash: 'h1', projectIds: [a, a] });
      assert.deepEqual(ana.projectIds, [a]);
      await assert.rejects(store.createUser({ email: 'ana@example.com', role: 'viewer', passwordHash: null }));
      assert.equal((await store.findUserByEmail('ANA@example.com'))?.passwordHash, 'h1');
      const changed = await store.updateUser(ana.id, { role: 'viewer', projectIds: [b] });
      assert.equal(changed?.role, 'viewer');
      assert.deepEqual(changed?.projectIds, [b]);
      assert.equal(await store.updateUser(999_999, { role: 'admin' }), undefined);
      assert.equal(await store.countOwners(), 0);
    });

    test('sessions: expired ones are gone, and ending all sessions of a user can keep one', async () => {
      const user = await store.createUser({ email: 'sess@example.com', role: 'member', passwordHash: null });
      const now = Date.now();
      await store.createSession('h-live', { userId: user.id, csrfToken: 'c1', createdAt: now, expiresAt: now + 60_000 });
      await store.createSession('h-keep', { userId: user.id, csrfToken: 'c2', createdAt: now, expiresAt: now + 60_000 });
      await store.createSession('h-old', { userId: user.id, csrfToken: 'c3', createdAt: now - 10, expiresAt: now - 1 });
      assert.equal((await store.getSession('h-live', now))?.csrfToken, 'c1');
      assert.equal(await store.getSession('h-old', now), undefined);
      assert.equal(await store.deleteUserSessions(user.id, 'h-keep'), 1);
      assert.equal(await store.getSession('h-live', now), undefined);
      assert.ok(await store.getSession('h-keep', now));
      await store.deleteUser(user.id);
      assert.equal(await store.getSession('h-keep', now), undefined, 'a deleted user has no sessions');
    });

    test('one-time links: used once even by two concurrent requests, not after expiry, not for another purpose', async () => {
      const now = Date.now();
      await store.createOneTimeLink({ purpose: 'invite', tokenHash: 'inv-1', email: 'x@example.com', role: 'viewer', projectIds: [a], expiresAt: now + 1000 });
      assert.equal(await store.consumeOneTimeLink('inv-1', 'reset', now), undefined);
      assert.equal((await store.peekOneTimeLink('inv-1', 'invite', now))?.email, 'x@example.com');
      const [first, second] = await Promise.all([store.consumeOneTimeLink('inv-1', 'invite', now), store.consumeOneTimeLink('inv-1', 'invite', now)]);
      assert.equal([first, second].filter(Boolean).length, 1);
      assert.deepEqual((first ?? second)!.projectIds, [a]);
      await store.createOneTimeLink({ purpose: 'invite', tokenHash: 'inv-2', expiresAt: now + 1000 });
      assert.equal(await store.consumeOneTimeLink('inv-2', 'invite', now + 1000), undefined, 'expired at its expiry time');
      assert.equal((await store.listOneTimeLinks('invite', now)).length, 1);
      await store.deleteOneTimeLinks('invite');
      assert.equal((await store.listOneTimeLinks('invite', now)).length, 0);
    });

    test('personal tokens: verified by hash, last use recorded at most once a minute, revoked only by their owner', async () => {
      const user = await store.createUser({ email: 'tok@example.com', role: 'admin', passwordHash: null });
      const token = await store.createPersonalToken({ userId: user.id, name: 'ci', tokenHash: 'tok-hash', scopes: ['read', 'write'], projectId: a });
      const now = Date.now();
      assert.deepEqual(await store.verifyApiToken('tok-hash', now), { id: token.id, name: 'ci', projectId: a, userId: user.id, scopes: ['read', 'write'] });
      const first = (await store.listPersonalTokens(user.id))[0]!.lastUsedAt;
      await store.verifyApiToken('tok-hash', now + 30_000);
      assert.equal((await store.listPersonalTokens(user.id))[0]!.lastUsedAt, first);
      await store.verifyApiToken('tok-hash', now + 61_000);
      assert.equal((await store.listPersonalTokens(user.id))[0]!.lastUsedAt, new Date(now + 61_000).toISOString());
      const other = await store.createUser({ email: 'other@example.com', role: 'owner', passwordHash: null });
      assert.equal(await store.revokePersonalToken(other.id, token.id), false);
      assert.equal(await store.revokePersonalToken(user.id, token.id), true);
      assert.equal(await store.verifyApiToken('tok-hash', now), undefined);
    });

    test('audit log: newest first, paged by id', async () => {
      for (let i = 0; i < 5; i++) await store.appendAudit({ action: `act.${i}`, actorUserId: null, actor: 'cli', target: null, ip: null, details: { i } }, Date.now());
      const page = await store.listAudit(3);
      assert.deepEqual(page.map((e) => e.action), ['act.4', 'act.3', 'act.2']);
      assert.deepEqual((await store.listAudit(3, page[2]!.id)).map((e) => e.action), ['act.1', 'act.0']);
    });

    test('project settings, a slug conflict, and deletion that hides the project, frees its slug and stops its keys', async () => {
      const project = await store.createProject({ name: 'Shop', slug: 'shop' });
      assert.equal(await store.updateProject(project.id, { slug: 'a' }), 'slug_taken');
      assert.equal(await store.updateProject(project.id, { name: 'Shop API', description: 'd', platform: 'node', repository: { url: 'https://github.com/acme/shop', defaultBranch: 'main' } }), 'updated');
      assert.deepEqual(await store.getProjectSettings(project.id), { description: 'd', platform: 'node', repository: { url: 'https://github.com/acme/shop', defaultBranch: 'main' } });
      assert.equal(await store.renameProjectKey(project.id, project.publicKey, 'Production'), true);
      const member = await store.createUser({ email: 'shop@example.com', role: 'member', passwordHash: null, projectIds: [project.id] });
      assert.deepEqual(await store.deleteProject(project.id), [project.publicKey]);
      assert.equal(await store.getProject(project.id), undefined);
      assert.equal(await store.findProjectByKey(project.publicKey), undefined);
      assert.deepEqual((await store.getUser(member.id))?.projectIds, []);
      assert.equal(await store.deleteProject(project.id), undefined);
      assert.equal((await store.createProject({ name: 'Shop', slug: 'shop' })).slug, 'shop');
    });
  });
}
