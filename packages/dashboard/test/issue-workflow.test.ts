/**
 * Triage in the dashboard, in headless chromium against the real server, signed in as a user:
 * merging two issues from the issue list's bulk bar, assigning from the issue page (and finding it
 * under "Assigned to me"), and the activity history that records both; then unmerging; a regression
 * in the history.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { createOwner } from '../../../tests/helpers/accounts.js';
import { launchBrowser, screenshotDir } from './browser.js';

const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir, `triage-${name}.png`), fullPage: true });

describe('issue workflow in the dashboard: assign, merge, activity', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const ids: Record<string, number> = {};
  const pageErrors: string[] = [];

  async function send(type: string, count: number) {
    for (let i = 0; i < count; i++) {
      const event = { event_id: randomUUID().replace(/-/g, ''), exception: { values: [{ type, value: 'failed', stacktrace: { frames: [{ function: 'run', filename: `${type}.js` }] } }] } };
      const res = await fetch(`${server.url}/api/${server.projectId}/store/?sentry_key=${server.publicKey}`, { method: 'POST', body: JSON.stringify(event) });
      assert.equal(res.status, 200);
    }
  }

  before(async () => {
    const launching = launchBrowser();
    try {
      server = await startServer();
    } finally {
      browser = await launching;
    }
    await send('CheckoutError', 3);
    await send('PaymentError', 2);
    await send('SearchError', 1);
    for (const issue of (await server.api(`/api/0/projects/${server.projectId}/issues/`)).body) ids[issue.title.split(':')[0]] = issue.id;
    await createOwner(server.url, server.setupUrl!, 'olive@example.com', 'owner-password-1');
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.url + '/');
    await page.fill('input[name=email]', 'olive@example.com');
    await page.fill('input[name=password]', 'owner-password-1');
    await page.click('[data-testid=password-form] button[type=submit]');
    await page.waitForSelector('table.issues');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('two issues selected in the list are merged by the bulk Merge button into the one with more events', async () => {
    await page.goto(`${server.url}/projects/${server.projectId}/issues/`);
    await page.waitForSelector(`tr[data-issue-id="${ids.PaymentError}"]`);
    await page.check(`tr[data-issue-id="${ids.CheckoutError}"] input[type=checkbox]`);
    await page.check(`tr[data-issue-id="${ids.PaymentError}"] input[type=checkbox]`);
    await page.click('.bulk-bar button:has-text("Merge")');
    await page.waitForFunction((id) => !document.querySelector(`tr[data-issue-id="${id}"]`), ids.PaymentError);
    const row = await page.textContent(`tr[data-issue-id="${ids.CheckoutError}"]`);
    assert.match(row!, /CheckoutError/);
    assert.equal((await page.textContent(`tr[data-issue-id="${ids.CheckoutError}"] td.num`))!.trim(), '5');
    await shot(page, 'merged-list');
  });

  test('assigning from the issue page shows the assignee, the activity, and the issue under "Assigned to me"', async () => {
    await page.goto(`${server.url}/issues/${ids.CheckoutError}/`);
    await page.waitForSelector('[data-testid=activity] li[data-kind=merged]');
    await page.waitForSelector('select[data-testid=assignee] option:has-text("olive@example.com")', { state: 'attached' });
    const value = await page.$eval('select[data-testid=assignee]', (select) => [...(select as HTMLSelectElement).options].find((o) => o.textContent!.includes('olive@example.com'))!.value);
    await page.selectOption('select[data-testid=assignee]', value);
    await page.waitForSelector('[data-testid=activity] li[data-kind=assigned]');
    const activity = await page.textContent('[data-testid=activity]');
    assert.match(activity!, /olive@example\.com assigned it to Olive Owner/);
    assert.match(activity!, /merged #\d+ into it/);
    assert.match(activity!, /First seen/);
    assert.ok(await page.isVisible('[data-testid=merged-fingerprints]'), 'the merged fingerprint is listed');
    await shot(page, 'issue-activity');
    await page.goto(`${server.url}/projects/${server.projectId}/issues/`);
    await page.click('[data-testid=assigned-to-me]');
    await page.waitForFunction(() => document.querySelectorAll('table.issues tbody tr').length === 1);
    assert.match((await page.textContent('table.issues tbody'))!, /CheckoutError[\s\S]*Olive Owner/);
  });

  test('unmerge on the issue page gives the merged issue back its events', async () => {
    await page.goto(`${server.url}/issues/${ids.CheckoutError}/`);
    await page.click('[data-testid=merged-fingerprints] button:has-text("Unmerge")');
    await page.waitForFunction(() => document.querySelector('[data-testid=stat-events]')?.textContent?.includes('3'));
    await page.waitForSelector('[data-testid=activity] li[data-kind=unmerged]');
    assert.equal((await server.api(`/api/0/issues/${ids.PaymentError}/`)).body.count, 2);
  });

  test('a regression and where the issue was first seen are lines of its activity, without an actor', async () => {
    assert.equal((await server.api(`/api/0/issues/${ids.SearchError}/`, { method: 'PUT', body: { status: 'resolved' } })).status, 200);
    await send('SearchError', 1);
    await page.goto(`${server.url}/issues/${ids.SearchError}/`);
    await page.waitForSelector('[data-testid=activity] li[data-kind=regression]');
    const lines = await page.$$eval('[data-testid=activity] li', (items) => items.map((li) => [li.getAttribute('data-kind'), li.textContent!.trim()]));
    assert.deepEqual(lines.map(([kind]) => kind), ['regression', 'status', 'first_seen']);
    assert.match(lines[0]![1]!, /^Regressed: a new event after it was resolved/);
    assert.match(lines[1]![1]!, /^token #1 \(admin .*\) marked it resolved/, 'a person\'s change names who made it (here the admin token)');
    assert.match(lines[2]![1]!, /^First seen/);
    await shot(page, 'activity-regression');
    assert.deepEqual(pageErrors, []);
  });
});
