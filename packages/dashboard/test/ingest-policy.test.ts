/**
 * The project settings page's limits, filters and scrubbing in Chromium against the real server:
 * an admin sets a rate limit, an environment filter and a scrubbing rule; the API holds them and
 * ingest applies them; the page then shows what was dropped.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { adminPage, launchBrowser, screenshotDir } from './browser.js';

describe('project settings: limits, filters and scrubbing', { timeout: 180_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    ({ page, pageErrors } = await adminPage(browser, server));
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('an admin saves a limit, a filter and a scrubbing rule; ingest applies them and the page counts the drop', async () => {
    await page.goto(`${server.url}/projects/${server.projectId}/settings/`);
    const section = page.locator('[data-testid=ingest-policy]');
    await section.waitFor();
    await section.locator('input[name=perMinute]').fill('600');
    await section.locator('input[name=burst]').fill('50');
    await section.locator('textarea[name=environments]').fill('staging\nqa');
    await section.locator('input[name=browserExtensions]').check();
    await section.locator('textarea[name=extraKeys]').fill('internal_ref');
    await section.locator('button[type=submit]').click();
    await section.locator('text=Saved.').waitFor();

    const saved = await server.api(`/api/0/projects/${server.projectId}/ingest-policy/`);
    assert.deepEqual(saved.body.policy.rateLimit, { perMinute: 600, burst: 50 });
    assert.deepEqual(saved.body.policy.filters.environments, ['staging', 'qa']);
    assert.equal(saved.body.policy.filters.browserExtensions, true);
    assert.deepEqual(saved.body.policy.scrubbing.extraKeys, ['internal_ref']);

    const event = { event_id: crypto.randomUUID().replace(/-/g, ''), environment: 'staging', message: 'from staging' };
    const sent = await fetch(`${server.url}/api/${server.projectId}/store/?sentry_key=${server.publicKey}`, { method: 'POST', body: JSON.stringify(event) });
    assert.equal(sent.status, 200);
    await page.reload();
    const outcomes = page.locator('[data-testid=outcomes]');
    await outcomes.locator('td:has-text("environment")').waitFor();
    assert.match((await outcomes.textContent()) ?? '', /Filtered\s*environment\s*error\s*1/);
    await page.screenshot({ path: join(screenshotDir, 'project-settings-ingest-policy.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
