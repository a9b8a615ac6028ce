/**
 * The Alerts page in headless chromium against the real server and a real HTTP receiver: a rule is
 * created with the form (query typed with the search autocomplete), "send test" reaches the
 * receiver, a matching event fires it, the delivery log shows the attempt, and the issue page shows
 * the rule that fired. Screenshots go to test-output/screenshots/.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { HttpReceiver, waitFor } from '../../../tests/helpers/alert-receivers.js';
import { adminPage, launchBrowser, screenshotDir } from './browser.js';

const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir, `alerts-${name}.png`), fullPage: true });

async function sendEvent(server: RunningServer, type: string, tier: string) {
  const response = await fetch(`${server.url}/api/${server.projectId}/store/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${server.publicKey}` },
    body: JSON.stringify({
      event_id: randomUUID().replace(/-/g, ''), level: 'error', environment: 'production', tags: { tier },
      exception: { values: [{ type, value: 'payment declined', stacktrace: { frames: [{ function: 'pay', filename: 'billing.js' }] } }] },
    }),
  });
  assert.equal(response.status, 200);
}

describe('alerts in the dashboard', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const receiver = new HttpReceiver('unused-secret-0123456789');
  let pageErrors: string[];

  before(async () => {
    await receiver.start();
    [server, browser] = await Promise.all([
      startServer({ env: { PROLIFERATE_OUTBOUND_ALLOW_PRIVATE: 'true', PROLIFERATE_ALERT_INTERVAL_MS: '100' } }),
      launchBrowser(),
    ]);
    // A first event, so the query field has tag keys to suggest.
    await sendEvent(server, 'WarmupError', 'free');
    ({ page, pageErrors } = await adminPage(browser, server, { width: 1360, height: 900 }));
    await page.waitForSelector('nav a:has-text("Alerts")');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await receiver.stop();
  });

  test('a rule made with the form sends a test, fires on a matching event and logs the delivery', async () => {
    await page.click('nav a:has-text("Alerts")');
    await page.click('button:has-text("New rule")');
    const form = page.locator('[data-testid=rule-form]');
    await form.locator('label:has-text("Name") input').fill('Enterprise payments');
    const query = form.locator('input[aria-label="Search issues"]');
    await query.click();
    await query.pressSequentially('tie');
    await page.waitForSelector('.suggestions li:has-text("tier")');
    await query.fill('tier:enterprise');
    await form.locator('input[placeholder^="https://hooks.slack.com"]').fill(receiver.url('/slack/dashboard'));
    await shot(page, 'form');
    await form.locator('button[type=submit]').click();
    await page.waitForSelector('[data-testid=alert-rules] td:has-text("Enterprise payments")');
    assert.match((await page.textContent('[data-testid=alert-rules]'))!, /tier:enterprise/);

    await page.click('button:has-text("Send test")');
    await page.waitForSelector('[data-testid=alert-notice]:has-text("sent (200)")');
    assert.match(receiver.to('/slack/dashboard')[0]!.body.text, /\[test\]/);

    await sendEvent(server, 'PaymentError', 'enterprise');
    await waitFor('the notification', () => receiver.to('/slack/dashboard').find((p) => /New issue: PaymentError/.test(p.body.text)));
    await page.reload();
    await page.click('button:has-text("Deliveries")');
    await page.waitForSelector('[data-testid=delivery-log] td:has-text("ok 200")');
    assert.doesNotMatch((await page.textContent('[data-testid=alert-rules]'))!, /never/);
    await shot(page, 'list');

    const issues = await server.api(`/api/0/projects/${server.projectId}/issues/?query=PaymentError`);
    await page.goto(`${server.url}/issues/${issues.body[0].id}/`);
    await page.waitForSelector('[data-testid=alert-firings]:has-text("Enterprise payments")');
    assert.deepEqual(pageErrors, []);
  });
});
