/**
 * Dashboard details a new user ran into (issue 19), in headless Chromium against the real server:
 * Escape in the search box, a 390 px phone, long keys, no 404 for a trace without a transaction,
 * and errors per transaction shown as a ratio with both numbers. Screenshots go to
 * test-output/screenshots/details-*.png.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { launchBrowser, screenshotDir } from './browser.js';
import { sendEvents } from './send-events.js';

const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir, `details-${name}.png`), fullPage: true });
const LONG_KEY = 'checkout_experiment_assignment.variant_bucket_identifier';

describe('dashboard details', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let eventId = '';
  let issueId = 0;

  async function envelope(type: string, item: Record<string, unknown>) {
    const res = await fetch(`${server.url}/api/${server.projectId}/envelope/?sentry_key=${server.publicKey}`, { method: 'POST', body: `{}\n{"type":"${type}"}\n${JSON.stringify(item)}\n` });
    assert.equal(res.status, 200);
  }

  before(async () => {
    const launching = launchBrowser();
    try {
      server = await startServer();
    } finally {
      browser = await launching;
    }
    await sendEvents(server.dsn); // tier: free x5, enterprise x1 among the errors
    const now = Date.now() / 1000;
    for (let i = 0; i < 2; i++) {
      await envelope('transaction', {
        type: 'transaction', transaction: 'GET /cart', start_timestamp: now - 1, timestamp: now, tags: { tier: 'free' },
        contexts: { trace: { trace_id: randomBytes(16).toString('hex'), span_id: randomBytes(8).toString('hex'), op: 'http.server' } },
      });
    }
    // An error whose trace has no transaction, with a long context key.
    eventId = randomUUID().replace(/-/g, '');
    await envelope('event', {
      event_id: eventId, timestamp: now, exception: { values: [{ type: 'LongKeyError', value: 'a context with a long key' }] },
      contexts: { trace: { trace_id: randomBytes(16).toString('hex'), span_id: randomBytes(8).toString('hex') }, experiment: { [LONG_KEY]: 'treatment_with_a_long_value', short: 'x' } },
    });
    for (let i = 0; i < 50 && !issueId; i++) {
      const { status, body } = await server.api<{ issueId: number }>(`/api/0/projects/${server.projectId}/events/${eventId}/`);
      if (status === 200) issueId = body.issueId;
      else await new Promise((r) => setTimeout(r, 100));
    }
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(10_000);
    await page.goto(server.url + '/');
    await page.fill('input[name=token]', server.adminToken!);
    await page.click('form.token-form button[type=submit]');
    await page.waitForSelector('tr[data-issue-id]');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('Escape in the search box closes the suggestions and keeps the query; a second Escape leaves the field', async () => {
    await page.goto(`${server.url}/projects/${server.projectId}/issues/`);
    await page.click('.search-input');
    await page.keyboard.type('tier:');
    await page.waitForSelector('#search-suggestions [role=option]');
    await page.keyboard.press('Escape');
    assert.equal(await page.inputValue('.search-input'), 'tier:', 'the query is not cleared');
    assert.equal(await page.locator('#search-suggestions [role=option]').count(), 0, 'the list is closed');
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('search-input')), true, 'still in the field');
    await page.keyboard.press('Escape');
    assert.equal(await page.inputValue('.search-input'), 'tier:');
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('search-input')), false, 'the field is left');
  });

  test('an event whose trace has no transaction asks for no trace that 404s', async () => {
    const answers: Array<[string, number]> = [];
    const listener = (response: { url(): string; status(): number }) => answers.push([response.url(), response.status()]);
    page.on('response', listener);
    await page.goto(`${server.url}/issues/${issueId}/events/${eventId}/`);
    await page.waitForSelector('#trace-logs');
    await page.waitForLoadState('networkidle');
    page.off('response', listener);
    assert.deepEqual(answers.filter(([, status]) => status >= 400), []);
    assert.ok(answers.some(([url]) => url.includes('/traces/?')), 'the trace was looked up through the search');
    assert.equal(await page.locator('#trace-logs a', { hasText: 'Open the trace' }).count(), 0);
  });

  test('long keys in the contexts panel wrap after a separator, never mid-word', async () => {
    await page.goto(`${server.url}/issues/${issueId}/events/${eventId}/`);
    const key = page.locator('.context-card th', { hasText: 'variant_bucket' });
    await key.waitFor();
    // Each segment between separators sits on one line: its text node has a single line box.
    const segmentsOnOneLine = await key.evaluate((th) => {
      const out: Array<[string, number]> = [];
      const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(n);
        out.push([n.textContent!, new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size]);
      }
      return out;
    });
    assert.equal(segmentsOnOneLine.map(([t]) => t).join(''), LONG_KEY);
    for (const [segment, lines] of segmentsOnOneLine) assert.equal(lines, 1, `"${segment}" is broken across ${lines} lines`);
    assert.ok((await key.boundingBox())!.height > 20, 'the key does wrap (it is longer than the column)');
    await shot(page, 'event-long-keys');
  });

  test('compare shows errors per transaction as a ratio with both numbers', async () => {
    await page.goto(`${server.url}/projects/${server.projectId}/compare/?key=tier&period=24h`);
    await page.waitForSelector('tr[data-variant=free] .error-rate');
    // free: 5 errors over 2 transactions; enterprise: 1 error, no transactions.
    assert.equal((await page.textContent('tr[data-variant=free] .error-rate'))!.replace(/\s+/g, ' ').trim(), '2.5 (5 / 2)');
    assert.equal((await page.textContent('tr[data-variant=enterprise] .error-rate'))!.trim(), '—');
    await shot(page, 'compare-ratio');
  });

  describe('at 390 px (a phone)', () => {
    const fits = async (p: Page) => p.evaluate(() => ({ scroll: document.documentElement.scrollWidth, view: innerWidth }));

    test('the issue list, the issue page and the event page do not scroll sideways, and titles use the width', async () => {
      const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
      try {
        await phone.goto(server.url + '/');
        await phone.evaluate((token) => sessionStorage.setItem('proliferate.token', token), server.adminToken!);
        await phone.goto(`${server.url}/projects/${server.projectId}/issues/`);
        if (await phone.locator('input[name=token]').count()) {
          await phone.fill('input[name=token]', server.adminToken!);
          await phone.click('form.token-form button[type=submit]');
        }
        await phone.waitForSelector('tr[data-issue-id]');
        let size = await fits(phone);
        await shot(phone, 'phone-issue-list');
        assert.ok(size.scroll <= size.view, `issue list: ${size.scroll} px wide in a ${size.view} px window`);
        const title = await phone.locator('.issue-title').first().boundingBox();
        assert.ok(title && title.width >= 200, `an issue title gets ${title?.width} px, not a word per line`);
        await shot(phone, 'phone-issue-list');

        await phone.goto(`${server.url}/issues/${issueId}/`);
        await phone.waitForSelector('.issue-h1');
        size = await fits(phone);
        assert.ok(size.scroll <= size.view, `issue page: ${size.scroll} px wide`);
        await shot(phone, 'phone-issue');

        await phone.goto(`${server.url}/issues/${issueId}/events/${eventId}/`);
        await phone.waitForSelector('.context-card');
        size = await fits(phone);
        assert.ok(size.scroll <= size.view, `event page: ${size.scroll} px wide`);
        await shot(phone, 'phone-event');
      } finally {
        await phone.close();
      }
    });
  });
});
