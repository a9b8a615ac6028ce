/**
 * Team accounts end to end in Chromium against the real server: the owner is created from the
 * link printed on the first start, invites a member and a viewer who sign in, the viewer cannot
 * resolve (no button, and the API says 403), a member of project A finds no trace of project B
 * (lists, direct URLs, API), a personal token made in the dashboard works until it is revoked,
 * and single sign-on through a local OpenID Connect provider (oidc-provider) started by the test.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Provider from 'oidc-provider';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { launchBrowser, screenshotDir } from './browser.js';

const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir, `accounts-${name}.png`), fullPage: true });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function sendError(server: RunningServer, projectId: number | string, publicKey: string, type: string): Promise<void> {
  const event = {
    event_id: crypto.randomUUID().replace(/-/g, ''),
    release: '4f2a9c1e0b7d',
    exception: { values: [{ type, value: 'failed', stacktrace: { frames: [{ function: 'checkout', filename: 'src/checkout.ts', lineno: 42, in_app: true }] } }] },
  };
  const response = await fetch(`${server.url}/api/${projectId}/envelope/?sentry_key=${publicKey}`, { method: 'POST', body: `{}\n{"type":"event"}\n${JSON.stringify(event)}\n` });
  assert.equal(response.status, 200);
}

async function waitForIssue(server: RunningServer, projectId: number | string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const { body } = await server.api<Array<{ id: number }>>(`/api/0/projects/${projectId}/issues/`);
    if (body[0]) return body[0].id;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no issue');
}

describe('team accounts in the dashboard', { timeout: 240_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let provider: ReturnType<Provider['listen']>;
  const contexts: BrowserContext[] = [];
  let owner: Page;
  let projectA: number;
  let projectB: number;
  let issueA: number;
  let issueB: number;
  const links: Record<string, string> = {};

  before(async () => {
    const launching = launchBrowser();
    const [serverPort, oidcPort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${oidcPort}`;
    // A real OpenID Connect provider with its development login form (any login name, any password).
    const oidc = new Provider(issuer, {
      clients: [{ client_id: 'proliferate', client_secret: 'sso-test-secret', redirect_uris: [`http://127.0.0.1:${serverPort}/api/0/auth/oidc/callback`] }],
      findAccount: async (_ctx, id) => ({
        accountId: id,
        claims: async () => ({ sub: id, email: `${id}@example.com`, email_verified: true, name: `SSO ${id}` }),
      }),
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      cookies: { keys: ['accounts-test-cookie-key'] },
    });
    provider = oidc.listen(oidcPort);
    try {
      server = await startServer({
        args: ['--port', String(serverPort)],
        env: {
          PROLIFERATE_OIDC_ISSUER: issuer,
          PROLIFERATE_OIDC_CLIENT_ID: 'proliferate',
          PROLIFERATE_OIDC_CLIENT_SECRET: 'sso-test-secret',
          PROLIFERATE_OIDC_DEFAULT_ROLE: 'viewer',
          PROLIFERATE_OIDC_LABEL: 'Test SSO',
        },
      });
    } finally {
      browser = await launching;
    }
    projectA = Number(server.projectId);
    const b = (await server.api('/api/0/projects/', { body: { name: 'Secret B' } })).body as { id: number; publicKey: string };
    projectB = b.id;
    await sendError(server, projectA, server.publicKey, 'CheckoutError');
    await sendError(server, projectB, b.publicKey, 'SecretBError');
    issueA = await waitForIssue(server, projectA);
    issueB = await waitForIssue(server, projectB);
    await server.api(`/api/0/projects/${projectA}/`, { method: 'PUT', body: { repository: { url: 'https://github.com/acme/shop', defaultBranch: 'main' } } });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise((resolve) => provider?.close(resolve));
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('dialog', (dialog) => void dialog.accept());
    return page;
  }

  /** A write from inside the page, as the dashboard makes it (cookie + the session's CSRF token). */
  const pageWrite = (page: Page, method: string, path: string, body: unknown) =>
    page.evaluate(
      async ({ method, path, body }) => {
        const me = await (await fetch('/api/0/auth/me/')).json();
        const response = await fetch(path, { method, headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify(body) });
        return response.status;
      },
      { method, path, body },
    );

  test('the owner is created from the first-start link and lands on the issues', async () => {
    assert.ok(server.setupUrl);
    owner = await newPage();
    await owner.goto(server.setupUrl!);
    await owner.fill('input[name=email]', 'owner@example.com');
    await owner.fill('input[name=name]', 'Olive Owner');
    await owner.fill('input[name=new-password]', 'owner-password-1');
    await owner.fill('input[name=repeat-password]', 'owner-password-1');
    await shot(owner, 'setup-owner');
    await owner.click('button[type=submit]');
    await owner.waitForSelector('tr[data-issue-id]');
    assert.equal(await owner.textContent('[data-testid=account-link]'), 'owner@example.com');
  });

  test('the owner signs out and signs in again with e-mail and password', async () => {
    await owner.click('text=Sign out');
    await owner.waitForSelector('input[name=email]');
    await shot(owner, 'sign-in');
    await owner.fill('input[name=email]', 'owner@example.com');
    await owner.fill('input[name=password]', 'owner-password-1');
    await owner.click('[data-testid=password-form] button[type=submit]');
    await owner.waitForSelector('tr[data-issue-id]');
  });

  test('the owner invites a member of project A and a viewer of project A', async () => {
    await owner.goto(`${server.url}/settings/team/`);
    for (const [email, role] of [
      ['member@example.com', 'member'],
      ['viewer@example.com', 'viewer'],
    ] as const) {
      await owner.fill('input[name=invite-email]', email);
      await owner.selectOption('select[name=invite-role]', role);
      await owner.check(`input[name=invite-projects][value="${projectA}"]`);
      const previous = (await owner.locator('[data-testid=invite-link]').count()) ? await owner.textContent('[data-testid=invite-link]') : null;
      await owner.click('button:has-text("Invite")');
      await owner.waitForFunction((old) => {
        const text = document.querySelector('[data-testid=invite-link]')?.textContent ?? '';
        return text.includes('#token=') && text !== old;
      }, previous);
      links[role] = (await owner.textContent('[data-testid=invite-link]'))!;
      await owner.waitForSelector(`text=${email} as ${role}, valid until`);
    }
    assert.notEqual(links.member, links.viewer);
    await shot(owner, 'team');
  });

  async function join(link: string, name: string, password: string): Promise<Page> {
    const page = await newPage();
    await page.goto(link);
    await page.waitForSelector('text=You are invited');
    await page.fill('input[name=name]', name);
    await page.fill('input[name=new-password]', password);
    await page.fill('input[name=repeat-password]', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('tr[data-issue-id]');
    return page;
  }

  test('the viewer signs in, reads the issue, has no Resolve button, and the API refuses a resolve with 403', async () => {
    const viewer = await join(links.viewer!, 'Vera Viewer', 'viewer-password-1');
    await viewer.goto(`${server.url}/issues/${issueA}/`);
    await viewer.waitForSelector('[data-testid=issue-status]');
    assert.equal(await viewer.locator('button:has-text("Resolve")').count(), 0);
    assert.equal(await viewer.locator('button:has-text("Ignore")').count(), 0);
    await viewer.keyboard.press('r');
    assert.equal(await pageWrite(viewer, 'PUT', `/api/0/issues/${issueA}/`, { status: 'resolved' }), 403);
    assert.equal((await server.api(`/api/0/issues/${issueA}/`)).body.status, 'unresolved');
    // The in-app frame links to the linked repository at the release's commit.
    const source = await viewer.getAttribute('[data-testid=source-link]', 'href');
    assert.equal(source, 'https://github.com/acme/shop/blob/4f2a9c1e0b7d/src/checkout.ts#L42');
    await shot(viewer, 'viewer-issue');
  });

  test('the member of project A can resolve there, and finds no trace of project B, even by direct URL', async () => {
    const member = await join(links.member!, 'Max Member', 'member-password-1');
    const options = await member.$$eval('select.project-picker option', (os) => os.map((o) => o.textContent));
    assert.ok(!options.includes('Secret B'), JSON.stringify(options));
    assert.ok(!(await member.content()).includes('Secret B'));
    for (const path of [`/projects/${projectB}/issues/`, `/projects/${projectB}/settings/`, `/projects/${projectB}/traces/`, `/issues/${issueB}/`]) {
      await member.goto(server.url + path);
      await member.waitForSelector('.error-box');
      const text = await member.textContent('main');
      assert.match(text!, /not found/i, path);
      assert.ok(!text!.includes('Secret') && !text!.includes('SecretBError'), path);
    }
    await shot(member, 'member-direct-url-b');
    const statuses = await member.evaluate(
      async (ids) => Promise.all([`/api/0/projects/${ids.b}/`, `/api/0/issues/${ids.issueB}/`, `/api/0/projects/${ids.b}/issues/`].map(async (p) => (await fetch(p)).status)),
      { b: projectB, issueB },
    );
    assert.deepEqual(statuses, [404, 404, 404]);
    await member.goto(`${server.url}/issues/${issueA}/`);
    await member.click('button:has-text("Resolve")');
    await member.waitForFunction(() => document.querySelector('[data-testid=issue-status]')?.textContent === 'resolved');
  });

  test('a personal token created in the dashboard works with the API and is refused after revocation', async () => {
    await owner.goto(`${server.url}/settings/account/`);
    await owner.fill('input[name=token-name]', 'CI');
    await owner.selectOption('select[name=token-scope]', 'read');
    await owner.click('button:has-text("Create token")');
    const token = (await owner.textContent('[data-testid=new-token]'))!.trim();
    assert.match(token, /^pfu_/);
    await shot(owner, 'tokens');
    const use = () => fetch(`${server.url}/api/0/projects/${projectA}/issues/`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await use()).status, 200);
    await owner.reload();
    await owner.waitForSelector('tr[data-token-id]');
    assert.ok(!(await owner.content()).includes(token), 'the token is shown only once');
    await owner.click('tr[data-token-id] button:has-text("Revoke")');
    await owner.waitForFunction(() => document.querySelectorAll('tr[data-token-id]').length === 0);
    assert.equal((await use()).status, 401);
  });

  test('the owner reads the audit log with sign-ins, invitations and the token', async () => {
    await owner.goto(`${server.url}/settings/audit/`);
    await owner.waitForSelector('[data-testid=audit] tr[data-action]');
    const actions = await owner.$$eval('[data-testid=audit] tr[data-action]', (rows) => rows.map((r) => r.getAttribute('data-action')));
    for (const action of ['sign_in', 'invitation.created', 'invitation.accepted', 'token.created', 'token.revoked']) assert.ok(actions.includes(action), action);
    await shot(owner, 'audit');
  });

  test('single sign-on through the local OpenID Connect provider creates a viewer and signs them in', async () => {
    const page = await newPage();
    await page.goto(server.url + '/');
    await page.click('[data-testid=sso]');
    // The provider's development login form, then its consent form.
    await page.waitForSelector('input[name=login]');
    await page.fill('input[name=login]', 'sam');
    await page.fill('input[name=password]', 'anything');
    await page.click('button[type=submit]');
    await page.waitForSelector('button[type=submit]');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=account-link]');
    assert.equal(await page.textContent('[data-testid=account-link]'), 'sam@example.com');
    const users = (await server.api('/api/0/users/')).body as Array<{ email: string; role: string; ssoLinked: boolean; hasPassword: boolean }>;
    const sam = users.find((u) => u.email === 'sam@example.com');
    assert.equal(sam?.role, 'viewer');
    assert.equal(sam?.ssoLinked, true);
    assert.equal(sam?.hasPassword, false);
    await shot(page, 'sso-signed-in');
  });
});
