/**
 * The Traces pages in headless chromium against the real server: traces sent by our Node SDK are
 * listed and filtered with seed 004's grammar, a trace shows its waterfall, span data, error and
 * logs (also from the issue page, ±5 minutes), and its tags are added ("+"), edited (pencil) and deleted (trash) as seed 004 describes.
 * Screenshots go to test-output/screenshots/ (docs/images/ with UPDATE_DOC_SCREENSHOTS=1).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import * as Proliferate from '../../sdk/src/node/index.js';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { launchBrowser, screenshotDir } from './browser.js';

const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir, `traces-${name}.png`), fullPage: true });

describe('traces in the dashboard', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let traceId = '';
  const pageErrors: string[] = [];

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    Proliferate.init({ dsn: server.dsn, tracesSampleRate: 1, enableLogs: true });
    for (const [environment, seconds] of [['production', 6.5], ['staging', 1.2]] as const) {
      await Proliferate.withIsolationScope(async (scope) => {
        scope.newTrace();
        Proliferate.startSpan({ name: `POST /chat (${environment})`, op: 'http.server' }, (root) => {
          Proliferate.updateCurrentTrace({ tags: { environment, model_version: 'v2.0.0' }, metadata: { request_id: `req-${environment}` } });
          if (environment === 'production') traceId = root.traceId;
          Proliferate.startSpan({ name: 'Fetch User', op: 'db.query' }, (span) => {
            span.setData('db.table', 'users');
            span.end(span.startTimestamp + 0.4);
          });
          Proliferate.startSpan({ name: 'chat completion', op: 'llm' }, (span) => {
            span.setData('model', 'gpt-x').setStatus('internal_error');
            span.end(span.startTimestamp + seconds - 1);
          });
          Proliferate.logger.warn('model was slow', { seconds });
          if (environment === 'production') Proliferate.captureException(new Error('model timed out'));
          root.end(root.startTimestamp + seconds);
        });
      });
    }
    assert.equal(await Proliferate.flush(5000), true);
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(20_000); // generous: the test machine may be busy (builds, other suites)
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.url + '/');
    await page.fill('input[name=token]', server.adminToken!);
    await page.click('form.token-form button[type=submit]');
    await page.waitForSelector('nav a:has-text("Traces")');
  });

  after(async () => {
    await Proliferate.close(2000);
    await browser?.close();
    await server?.stop();
  });

  test('the Traces page lists traces and filters them with the seed 004 grammar', async () => {
    await page.click('nav a:has-text("Traces")');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-trace-id]').length === 2);
    await shot(page, 'list');
    await page.fill('input[aria-label="Trace filter"]', "tags.environment = 'production' AND execution_time_ms > 5000");
    await page.click('button:has-text("Search")');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-trace-id]').length === 1);
    assert.equal(await page.getAttribute('tr[data-trace-id]', 'data-trace-id'), traceId);
    assert.match(page.url(), /filter=tags\.environment/);
    await page.fill('input[aria-label="Trace filter"]', "tags.environment = 'production' AND");
    await page.click('button:has-text("Search")');
    const error = await page.textContent('[role=alert]');
    assert.match(error!, /expected a field/);
  });

  test('a trace shows its waterfall, span data, error and logs', async () => {
    await page.goto(`${server.url}/traces/${traceId}/`);
    await page.waitForSelector('svg.waterfall g[data-span-id]');
    assert.equal(await page.locator('svg.waterfall g[data-span-id]').count(), 3);
    await page.click('svg.waterfall g[data-span-id]:has-text("Fetch User")');
    await page.waitForSelector('section[aria-label="Span details"] h2:has-text("Fetch User")');
    assert.match((await page.textContent('section[aria-label="Span details"]'))!, /db\.table.*users/s);
    assert.match((await page.textContent('section[aria-label="Errors"]'))!, /model timed out/);
    assert.match((await page.textContent('section[aria-label="Logs"]'))!, /model was slow/);
    assert.match((await page.textContent('section[aria-label="Metadata"]'))!, /req-production/);
  });

  test("the issue page shows the logs of the event's trace within 5 minutes, and links the trace", async () => {
    const { body: issues } = await server.api(`/api/0/projects/${server.projectId}/issues/`);
    const issue = issues.find((i: { title: string }) => i.title.includes('model timed out'));
    await page.goto(`${server.url}/issues/${issue.id}/`);
    await page.waitForSelector('#trace-logs .log-body');
    assert.match((await page.textContent('#trace-logs'))!, /model was slow/);
    await page.click('#trace-logs a:has-text("Open the trace")');
    await page.waitForSelector('svg.waterfall g[data-span-id]');
    assert.match(page.url(), new RegExp(`/traces/${traceId}/$`));
  });

  test('tags: add with +, edit with the pencil, delete with the trash can', async () => {
    const tags = async () => (await server.api(`/api/0/traces/${traceId}/`)).body.tags;
    await page.click('button[aria-label="Add tag"]');
    await page.fill('input[aria-label="New tag key"]', 'needs_review');
    await page.fill('input[aria-label="New tag value"]', 'true');
    await page.click('form.tag-form button[type=submit]');
    await page.waitForSelector('tr[data-tag=needs_review]');
    assert.equal((await tags()).needs_review, 'true');

    await page.click('button[aria-label="Edit tag needs_review"]');
    await page.fill('input[aria-label="Value of needs_review"]', 'done');
    await page.click('form.tag-form button[type=submit]');
    await page.waitForSelector('tr[data-tag=needs_review] td.tag-value:has-text("done")');
    assert.equal((await tags()).needs_review, 'done');
    await shot(page, 'trace');

    await page.click('button[aria-label="Delete tag needs_review"]');
    await page.waitForSelector('tr[data-tag=needs_review]', { state: 'detached' });
    assert.equal((await tags()).needs_review, undefined);

    await page.click('button[aria-label="Add tag"]');
    await page.fill('input[aria-label="New tag key"]', 'bad key');
    await page.fill('input[aria-label="New tag value"]', 'x');
    await page.click('form.tag-form button[type=submit]');
    assert.match((await page.textContent('section[aria-label="Tags"] [role=alert]'))!, /invalid tag key/);
    assert.deepEqual(pageErrors, []);
  });
});
