/**
 * Triage in the dashboard, in headless chromium against the real server (docs/triage.md): a team
 * member comments on an issue (shown as text with their name), snoozes it until more events come
 * (badge, then back to unresolved by itself), opens a saved search's tab from its URL, saves a new
 * one, searches the events of an issue, and follows an event's user and session to their pages.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { createOwner } from '../../../tests/helpers/accounts.js';
import { launchBrowser, screenshotDir } from './browser.js';

const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir, `triage-${name}.png`), fullPage: true });
const MARKUP = '<img src=x onerror="window.__pwned=1">fixed?';

describe('triage in the dashboard', { timeout: 150_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const issues: Record<string, number> = {};

  async function send(type: string, tier: string, user: string, session: string, window: string) {
    const event = {
      event_id: randomUUID().replace(/-/g, ''),
      exception: { values: [{ type, value: 'boom', stacktrace: { frames: [{ function: 'run', filename: `${type}.js` }] } }] },
      tags: { tier },
      user: { id: user },
      contexts: { session: { id: session, window_id: window }, trace: { trace_id: randomBytes(16).toString('hex'), span_id: randomBytes(8).toString('hex') } },
    };
    const res = await fetch(`${server.url}/api/${server.projectId}/store/?sentry_key=${server.publicKey}`, { method: 'POST', body: JSON.stringify(event) });
    assert.equal(res.status, 200);
  }

  before(async () => {
    const launching = launchBrowser();
    try {
      server = await startServer();
    } finally {
      browser = await launching;
    }
    await send('CheckoutError', 'enterprise', 'alice', 'sess-a', 'win-a1');
    await send('CheckoutError', 'enterprise', 'alice', 'sess-a', 'win-a2');
    await send('CheckoutError', 'free', 'bob', 'sess-b', 'win-b1');
    await send('SearchError', 'enterprise', 'alice', 'sess-a', 'win-a1');
    await send('SearchError', 'free', 'carol', 'sess-c', 'win-c1');
    const list = await server.api<Array<{ id: number; title: string }>>(`/api/0/projects/${server.projectId}/issues/`);
    for (const issue of list.body) issues[issue.title.split(':')[0]!] = issue.id;
    assert.ok(issues.CheckoutError && issues.SearchError, JSON.stringify(list.body));
    await createOwner(server.url, server.setupUrl!);

    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.url + '/');
    await page.fill('input[name=email]', 'owner@example.com');
    await page.fill('input[name=password]', 'owner-password-1');
    await page.click('[data-testid=password-form] button[type=submit]');
    await page.waitForSelector('nav a:has-text("Issues")');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a comment is posted by the signed-in member, shown with their name and as text', async () => {
    await page.goto(`${server.url}/issues/${issues.CheckoutError}/`);
    await page.fill('[data-testid=comments] textarea', MARKUP);
    await page.click('[data-testid=comments] button[type=submit]');
    const comment = page.locator('[data-testid=comments] .comment').first();
    await comment.waitFor();
    assert.equal(await comment.locator('.comment-text').textContent(), MARKUP);
    assert.match((await comment.locator('.comment-head').textContent()) ?? '', /Olive Owner/);
    assert.equal(await page.locator('[data-testid=comments] img').count(), 0, 'the comment is text, never HTML');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    const stored = await server.api(`/api/0/issues/${issues.CheckoutError}/comments/`);
    assert.deepEqual(stored.body.map((c: { author: string; text: string }) => [c.author, c.text]), [['Olive Owner', MARKUP]]);
    await shot(page, 'comment');
  });

  test('snooze until 10 more events: ignored with a badge, back to unresolved once they arrived', async () => {
    await page.goto(`${server.url}/issues/${issues.SearchError}/`);
    await page.selectOption('select[aria-label=Snooze]', { label: 'until 10 more events' });
    await page.waitForSelector('[data-testid=issue-status]:has-text("ignored")');
    assert.match((await page.locator('[data-testid=snooze-badge]').textContent()) ?? '', /10 more events/);
    await shot(page, 'snoozed');
    for (let i = 0; i < 10; i++) await send('SearchError', 'free', 'dave', 'sess-d', 'win-d1');
    // Reloading reads the issue again: the server woke it when the tenth event was counted.
    for (let tries = 0; ; tries++) {
      await page.reload();
      await page.waitForSelector('[data-testid=issue-status]');
      if ((await page.locator('[data-testid=issue-status]').textContent()) === 'unresolved') break;
      assert.ok(tries < 50, 'the issue came back within the time');
      await page.waitForTimeout(200);
    }
    assert.equal(await page.locator('[data-testid=snooze-badge]').count(), 0);
  });

  test('a saved search opens as an active tab from its URL; a new one is saved from the list', async () => {
    const saved = await server.api(`/api/0/projects/${server.projectId}/searches/`, { method: 'POST', body: { name: 'Enterprise', query: 'tier:enterprise', sort: 'freq' } });
    assert.equal(saved.status, 201);
    await page.goto(`${server.url}/projects/${server.projectId}/issues/?query=tier%3Aenterprise&sort=freq`);
    const tab = page.locator('[data-testid=saved-searches] .saved-tab.active');
    await tab.waitFor();
    assert.match((await tab.textContent()) ?? '', /Enterprise/);
    // The filtered count: CheckoutError has 2 enterprise events of 3.
    const row = page.locator(`tr[data-issue-id="${issues.CheckoutError}"] [data-testid=filtered-count]`);
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /^2\s*\/\s*3$/);
    await shot(page, 'saved-tab');

    await page.goto(`${server.url}/projects/${server.projectId}/issues/`);
    await page.click('[data-testid=saved-searches] a:has-text("Enterprise")');
    await page.waitForURL(/query=tier%3Aenterprise/);
    assert.match(page.url(), /sort=freq/);

    await page.goto(`${server.url}/projects/${server.projectId}/issues/?query=user.id%3Abob`);
    await page.click('button:has-text("Save search")');
    await page.fill('input[aria-label="Name of the search"]', "Bob's errors");
    await page.click('.save-search button[type=submit]');
    await page.waitForSelector('[data-testid=saved-searches] .saved-tab.active:has-text("Bob\'s errors")');
    const mine = await page.evaluate(async (pid) => (await fetch(`/api/0/projects/${pid}/searches/`)).json(), server.projectId);
    assert.deepEqual(
      mine.map((s: { name: string; visibility: string }) => [s.name, s.visibility]),
      [['Enterprise', 'shared'], ["Bob's errors", 'private']],
    );
  });

  test("the events of an issue are searchable; from an event the user's page and the session's errors", async () => {
    await page.goto(`${server.url}/issues/${issues.CheckoutError}/`);
    const events = page.locator('[data-testid=issue-events]');
    await events.locator('tr[data-event-id]').first().waitFor();
    assert.equal(await events.locator('tr[data-event-id]').count(), 3);
    await events.locator('input[aria-label="Search these events"]').fill('tier:free');
    await events.locator('button[type=submit]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=issue-events] tr[data-event-id]').length === 1);

    await events.locator('tr[data-event-id] a').first().click();
    await page.waitForSelector('[data-testid=user-page-link]');
    await page.click('[data-testid=user-page-link]');
    await page.waitForSelector('[data-testid=related-page]');
    assert.match(page.url(), /\/by\/user\.id\/bob\/$/);
    await page.locator('[data-testid=related-page] tr[data-issue-id]').first().waitFor();
    assert.deepEqual(
      await page.locator('[data-testid=related-page] tr[data-issue-id]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-issue-id')))),
      [issues.CheckoutError],
    );

    // Alice's session: both issues, three of her events, reached from one of her events.
    await page.goto(`${server.url}/issues/${issues.SearchError}/`);
    const firstEvent = page.locator('[data-testid=issue-events] tr[data-event-id] a');
    await firstEvent.first().waitFor();
    const aliceEvent = (await server.api(`/api/0/issues/${issues.SearchError}/events/?query=user.id:alice`)).body[0].eventId as string;
    await page.goto(`${server.url}/issues/${issues.SearchError}/events/${aliceEvent}/`);
    await page.click('[data-testid=session-link]');
    await page.waitForSelector('[data-testid=related-page] [data-testid=event-list] tr[data-event-id]');
    assert.match(page.url(), /\/by\/session_id\/sess-a\/$/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=related-page] tr[data-issue-id]').length === 2);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=event-list] tr[data-event-id]').length === 3);
    assert.equal((await page.locator('[data-testid=related-events] .stat-value').textContent())?.trim(), '3');
    await shot(page, 'session');
    assert.deepEqual(pageErrors, []);
  });
});
