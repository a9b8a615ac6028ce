/**
 * The API reference page renders the server's OpenAPI document in the dashboard under its
 * Content-Security-Policy (no inline script, no third-party viewer).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { launchBrowser, screenshotDir } from './browser.js';

let server: RunningServer;
let browser: Browser;

before(async () => {
  const launching = launchBrowser();
  try {
    server = await startServer();
  } finally {
    browser = await launching;
  }
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the API page lists every operation of /api/0/openapi.json with its parameters, without a CSP violation', { timeout: 60_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  await page.goto(server.url + '/');
  await page.fill('input[name=token]', server.adminToken!);
  await page.click('form.token-form button[type=submit]');
  await page.click('a[href="/api-reference/"]');
  await page.waitForSelector('.api-operation');

  const doc = (await (await fetch(`${server.url}/api/0/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const expected = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  const shown = await page.$$eval('.api-operation h3', (hs) => hs.map((h) => h.textContent!.replace(/\s+/g, ' ').trim()));
  assert.equal(shown.length, expected);
  assert.ok(shown.includes('GET /api/0/projects/{projectId}/issues/'), shown.join('\n'));
  const issues = page.locator('section[id="get-/api/0/projects/{projectId}/issues/"]');
  assert.match((await issues.textContent())!, /limit\?.*query · integer \(1\.\.100, default 25\)/);
  await page.screenshot({ path: join(screenshotDir, 'dashboard-api-reference.png') });
  assert.deepEqual(problems, []);
});
