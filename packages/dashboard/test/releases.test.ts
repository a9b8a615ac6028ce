/**
 * Releases in the dashboard, in headless chromium against the real server: a source-mapped event
 * shows its original frames with context and a toggle to the minified ones; the issue links to its
 * releases and resolves in the next release; the Releases page and a release page show events,
 * new issues and deploys. A release version full of markup stays text.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { transform } from 'esbuild';
import { strToU8, zipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { launchBrowser, screenshotDir } from './browser.js';

const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir, `releases-${name}.png`), fullPage: true });
const sha1 = (data: Uint8Array) => createHash('sha1').update(data).digest('hex');
const SOURCE = `export function checkout(cart) {\n  if (!cart.items.length) {\n    throw new TypeError('cart is empty');\n  }\n  return cart.total;\n}\n`;
const MARKUP_RELEASE = 'shop@2.0.0<img src=x onerror=alert(1)>';

describe('releases and source maps in the dashboard', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let issueId: number;
  const pageErrors: string[] = [];
  const dialogs: string[] = [];

  before(async () => {
    const launching = launchBrowser();
    try {
      server = await startServer();
    } finally {
      browser = await launching;
    }
    const auth = { authorization: `Bearer ${server.adminToken}` };
    const { code, map } = await transform(SOURCE, { minify: true, sourcemap: 'external', sourcefile: 'src/checkout.js', format: 'esm' });
    const debugId = randomUUID();
    const manifest = { files: { 'c.js': { url: '~/checkout.min.js', type: 'minified_source', headers: { 'debug-id': debugId } }, 'c.map': { url: '~/checkout.min.js.map', type: 'source_map', headers: { 'debug-id': debugId } } } };
    const zip = zipSync({ 'manifest.json': strToU8(JSON.stringify(manifest)), 'c.js': strToU8(code), 'c.map': strToU8(map) });
    const form = new FormData();
    form.append('file', new Blob([zip]), sha1(zip));
    assert.equal((await fetch(`${server.url}/api/0/organizations/default/chunk-upload/`, { method: 'POST', headers: auth, body: form })).status, 200);
    const assembled = await server.api('/api/0/organizations/default/artifactbundle/assemble/', { body: { checksum: sha1(zip), chunks: [sha1(zip)], projects: ['default'] } });
    assert.equal(assembled.body.state, 'ok');
    const line = code.split('\n')[0]!;
    for (const release of ['shop@1.0.0', MARKUP_RELEASE]) {
      const event = {
        release,
        user: { id: 'u1' },
        exception: { values: [{ type: 'TypeError', value: 'cart is empty', stacktrace: { frames: [{ function: 'e', abs_path: 'https://shop.test/checkout.min.js', lineno: 1, colno: line.indexOf('throw') + 1, in_app: true }] } }] },
        debug_meta: { images: [{ type: 'sourcemap', code_file: 'https://shop.test/checkout.min.js', debug_id: debugId }] },
      };
      const res = await fetch(`${server.url}/api/${server.projectId}/store/?sentry_key=${server.publicKey}`, { method: 'POST', body: JSON.stringify(event) });
      assert.equal(res.status, 200);
    }
    await server.api(`/api/0/projects/${server.projectId}/releases/shop@1.0.0/deploys/`, { body: { environment: 'production', name: 'eu' } });
    const issues = await server.api<Array<{ id: number }>>(`/api/0/projects/${server.projectId}/issues/`);
    assert.equal(issues.body.length, 1);
    issueId = issues.body[0]!.id;

    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(server.url + '/');
    await page.fill('input[name=token]', server.adminToken!);
    await page.click('form.token-form button[type=submit]');
    await page.waitForSelector('nav a:has-text("Releases")');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the stack trace shows the original frame with context, and the minified one on request', async () => {
    await page.goto(`${server.url}/issues/${issueId}/`);
    await page.waitForSelector('.frame-fn');
    assert.equal(await page.textContent('.frame-fn'), 'checkout');
    assert.match((await page.textContent('.frame-file'))!, /^src\/checkout\.js:3:/);
    assert.equal((await page.textContent('.context-line'))!.trim(), "throw new TypeError('cart is empty');");
    await shot(page, 'original-frames');
    await page.click('button:has-text("Minified")');
    await page.waitForFunction(() => document.querySelector('.frame-fn')?.textContent === 'e');
    assert.match((await page.textContent('.frame-file'))!, /checkout\.min\.js:1:/);
  });

  test('release links lead to the release page; resolve in next release shows how it is resolved', async () => {
    await page.goto(`${server.url}/issues/${issueId}/`);
    await page.click('.stat a:has-text("shop@1.0.0")');
    await page.waitForSelector('h1:has-text("shop@1.0.0")');
    assert.match(page.url(), /\/releases\/shop%401\.0\.0\/$/);
    await page.waitForSelector('[data-testid=release-new-issues] a');
    assert.match((await page.textContent('[data-testid=release-new-issues] a'))!, /^TypeError/);
    assert.match((await page.textContent('.release-page'))!, /production/);
    await shot(page, 'release');
    await page.goto(`${server.url}/issues/${issueId}/`);
    await page.click('button:has-text("Resolve in next release")');
    await page.waitForSelector('[data-testid=resolved-in]');
    assert.equal(await page.textContent('[data-testid=resolved-in]'), `resolved in the release after ${MARKUP_RELEASE}`);
  });

  test('the Releases page lists each release with its figures; markup in a version stays text', async () => {
    await page.click('nav a:has-text("Releases")');
    await page.waitForSelector('[data-testid=releases] tbody tr');
    const rows = await page.$$eval('[data-testid=releases] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
    assert.deepEqual(rows.map((r) => [r[0], r[3], r[4], r[5]]), [[MARKUP_RELEASE, '1', '0', '1'], ['shop@1.0.0', '1', '1', '1']]);
    assert.equal(await page.$('[data-testid=releases] img'), null);
    await shot(page, 'list');
    assert.deepEqual(dialogs, []);
    assert.deepEqual(pageErrors, []);
  });
});
