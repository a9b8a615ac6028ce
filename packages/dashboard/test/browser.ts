import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { repoRoot } from '../../../tests/helpers/server.js';

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
