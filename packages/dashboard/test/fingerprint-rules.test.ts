/**
 * The project settings page's fingerprint rules in Chromium against the real server: an admin types
 * a rule with a mistake and sees the parse error inline at its line and column, fixes it and saves;
 * the API holds the rules and an event sent afterwards is grouped by them. Event data in a rule's
 * title stays text.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { adminPage, launchBrowser, screenshotDir } from './browser.js';

describe('project settings: fingerprint rules', { timeout: 180_000 }, () => {
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

  test('an admin sees a parse error at its line, fixes it, saves, and new events group by the rule', async () => {
    await page.goto(`${server.url}/projects/${server.projectId}/settings/`);
    const section = page.locator('[data-testid=fingerprint-rules]');
    await section.waitFor();
    const editor = section.locator('textarea[name=fingerprintRules]');
    await editor.fill('# checkout\nerror.type:CardDeclined -> card-declined\n  colour:red -> <b>bold</b>');
    await section.locator('button[type=submit]').click();
    const parseError = section.locator('[data-testid=fingerprint-rules-error]');
    await parseError.waitFor();
    assert.match((await parseError.textContent()) ?? '', /Line 3, column 3:\s*unknown matcher `colour`/);
    assert.match((await parseError.locator('pre').textContent()) ?? '', /colour:red -> <b>bold<\/b>\n\s{2}\^/);
    assert.equal(await editor.getAttribute('aria-invalid'), 'true');
    assert.equal((await server.api(`/api/0/projects/${server.projectId}/fingerprint-rules/`)).body.rules, '', 'nothing was stored');

    await editor.fill('# checkout\nerror.type:CardDeclined -> card-declined title="<img src=x onerror=alert(1)> declined"\ntype:InsufficientFunds -> card-declined');
    assert.equal(await parseError.count(), 0, 'editing clears the error');
    await section.locator('button[type=submit]').click();
    await section.locator('text=Saved: 2 rules.').waitFor();
    const saved = await server.api(`/api/0/projects/${server.projectId}/fingerprint-rules/`);
    assert.deepEqual(saved.body.parsed.map((r: { line: number }) => r.line), [2, 3]);

    const send = async (type: string) => {
      const event = { event_id: crypto.randomUUID().replace(/-/g, ''), exception: { values: [{ type, value: 'no', stacktrace: { frames: [{ function: 'pay', filename: 'pay.js' }] } }] } };
      const sent = await fetch(`${server.url}/api/${server.projectId}/store/?sentry_key=${server.publicKey}`, { method: 'POST', body: JSON.stringify(event) });
      assert.equal(sent.status, 200);
      return event.event_id;
    };
    const first = await send('CardDeclined');
    await send('InsufficientFunds');
    const stored = await server.api(`/api/0/projects/${server.projectId}/events/${first}/`);
    const issue = await server.api(`/api/0/issues/${stored.body.issueId}/`);
    assert.equal(issue.body.count, 2);

    // The issue page shows the rule's title as text, never as markup.
    await page.goto(`${server.url}/issues/${stored.body.issueId}/`);
    await page.locator('text=<img src=x onerror=alert(1)> declined').first().waitFor();
    assert.equal(await page.locator('img[src=x]').count(), 0);
    // Its event says which rule grouped it, and the fingerprint that rule produced.
    const rule = page.locator('[data-testid=grouping-rule]');
    await rule.waitFor();
    assert.match((await rule.textContent()) ?? '', /line [23] of the project's rules:\s*(error\.type:CardDeclined|type:InsufficientFunds) -> card-declined/);
    assert.match((await page.locator('#ids, [id=ids]').first().textContent()) ?? '', /Grouped by\s*card-declined/);

    await page.goto(`${server.url}/projects/${server.projectId}/settings/`);
    await section.waitFor();
    assert.match(await editor.inputValue(), /type:InsufficientFunds -> card-declined/);
    await section.screenshot({ path: join(screenshotDir, 'project-settings-fingerprint-rules.png') });
    assert.deepEqual(pageErrors, []);
  });
});
