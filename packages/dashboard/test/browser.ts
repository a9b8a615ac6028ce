import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot, type RunningServer } from '../../../tests/helpers/server.js';

/**
 * Screenshots of every page go to test-output/screenshots (look at them after a run). With
 * UPDATE_DOC_SCREENSHOTS=1 they replace the ones in docs/images instead, so an ordinary test run
 * never changes tracked files.
 */
export const screenshotDir = join(repoRoot, process.env.UPDATE_DOC_SCREENSHOTS === '1' ? 'docs/images' : 'test-output/screenshots');

/** Debian's chromium; never a downloaded browser. */
export function launchBrowser(): Promise<Browser> {
  mkdirSync(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A new page of the dashboard signed in with the server's admin token, the navigation shown; the
 * page's uncaught errors are collected in `pageErrors` (a test asserts it stays empty).
 */
export async function adminPage(browser: Browser, server: RunningServer, viewport = { width: 1360, height: 1400 }): Promise<{ page: Page; pageErrors: string[] }> {
  const pageErrors: string[] = [];
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(server.url + '/');
  await page.fill('input[name=token]', server.adminToken!);
  await page.click('form.token-form button[type=submit]');
  await page.waitForSelector('nav');
  return { page, pageErrors };
}
