/**
 * Deleting from the dashboard, in headless chromium against the real server: an event's delete
 * button asks first (dismissing keeps it), then deletes it; the issue's delete button asks with its
 * event count and deletes the issue; project settings show the retention and erase a person.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Dialog, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { launchBrowser, screenshotDir } from './browser.js';

describe('deleting issues, events and a person from the dashboard', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const dialogs: string[] = [];
  let answer: (dialog: Dialog) => Promise<void> = (d) => d.dismiss();
  const send = async (event: Record<string, unknown>) => {
    const res = await fetch(`${server.url}/api/${server.projectId}/store/?sentry_key=${server.publicKey}`, { method: 'POST', body: JSON.stringify(event) });
    assert.equal(res.status, 200);
  };
  const issueCount = async (id: number) => (await server.api<{ count: number }>(`/api/0/issues/${id}/`)).body?.count;

  before(async () => {
    const launching = launchBrowser();
    try {
      server = await startServer({ env: { PROLIFERATE_LOG_LEVEL: 'silent' } });
    } finally {
      browser = await launching;
    }
    for (let i = 0; i < 3; i++) await send({ message: 'checkout failed', fingerprint: ['checkout'], user: { email: 'ada@example.com' } });
    await send({ message: 'another issue', fingerprint: ['other'], user: { email: 'bob@example.com' } });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void answer(dialog);
    });
    await page.goto(server.url + '/');
    await page.fill('input[name=token]', server.adminToken!);
    await page.click('form.token-form button[type=submit]');
    await page.waitForSelector('nav a:has-text("Issues")');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('delete an event, then the issue, each after a confirmation; dismissing deletes nothing', async () => {
    const issues = (await server.api<Array<{ id: number; title: string }>>(`/api/0/projects/${server.projectId}/issues/`)).body;
    const issue = issues.find((i) => i.title.includes('checkout'))!;
    await page.goto(`${server.url}/issues/${issue.id}/`);
    await page.waitForSelector('[data-testid=delete-event]');

    answer = (d) => d.dismiss();
    await page.click('[data-testid=delete-event]');
    await page.waitForTimeout(300);
    assert.equal(await issueCount(issue.id), 3, 'dismissing the dialog deletes nothing');

    answer = (d) => d.accept();
    await page.click('[data-testid=delete-event]');
    await page.waitForFunction(() => document.querySelector('[data-testid=stat-events]')?.textContent?.includes('2'));
    assert.equal(await issueCount(issue.id), 2);
    assert.match(dialogs.at(-1)!, /Delete this event\?/);

    await page.click('[data-testid=delete-issue]');
    await page.waitForURL(`${server.url}/projects/${server.projectId}/issues/`);
    assert.match(dialogs.at(-1)!, /Delete this issue and its 2 events\?/);
    assert.equal((await server.api(`/api/0/issues/${issue.id}/`)).status, 404);
    await page.waitForSelector('text=another issue');
    assert.equal(await page.locator('text=checkout failed').count(), 0);
    await page.screenshot({ path: join(screenshotDir, 'deletion-after-issue-delete.png'), fullPage: true });
  });

  test('project settings show the retention and erase one person by e-mail', async () => {
    await page.goto(`${server.url}/projects/${server.projectId}/settings/`);
    await page.waitForSelector('[data-testid=retention] >> text=kept 90 days');
    await page.fill('input[name=erase-value]', 'bob@example.com');
    answer = (d) => d.accept();
    await page.click('[data-testid=erasure] button[type=submit]');
    await page.waitForSelector('[data-testid=erasure-result] >> text=Erased 1 events');
    assert.match(dialogs.at(-1)!, /bob@example\.com/);
    const left = (await server.api<unknown[]>(`/api/0/projects/${server.projectId}/events/?query=${encodeURIComponent('user.email:bob@example.com')}`)).body;
    assert.deepEqual(left, []);
    await page.screenshot({ path: join(screenshotDir, 'deletion-settings.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
