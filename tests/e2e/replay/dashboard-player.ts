/**
 * Opens an error's event page in the built dashboard, as a signed-in user, and watches the replay
 * player in it: where it starts, whether it reaches the error, what the replayed page holds, and
 * whether the browser refused any script under the dashboard's CSP.
 */
import type { Browser, Frame } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, type RunningServer } from '../../helpers/server.ts';

export interface PlayerObservation {
  csp: string;
  frameCsp: string;
  startOffsetMs: number;
  errorOffsetMs: number;
  reachedMs: number;
  replayedInputs: number;
  timelineCrumbs: string[];
  /** Width of the timeline list in px: it must sit below the player, not squeezed beside it. */
  timelineWidth: number;
  scriptViolations: string[];
  /** A click on the earliest moment of the timeline: its offset, and where the player then was. */
  seek: { targetMs: number; landedMs: number };
}

export async function playInDashboard(browser: Browser, server: RunningServer, eventId: string, replayId: string): Promise<PlayerObservation> {
  const { body: event } = await server.api(`/api/0/projects/${server.projectId}/events/${eventId}/`);
  mkdirSync(join(repoRoot, 'test-output/screenshots'), { recursive: true });
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  const scriptViolations: string[] = [];
  page.on('console', (message) => {
    if (/Refused to (execute|load).*script|script-src/i.test(message.text())) scriptViolations.push(message.text());
  });
  page.on('pageerror', (error) => scriptViolations.push(`page error: ${error.message}`));
  let frameCsp = '';
  page.on('response', (response) => {
    if (response.url().includes('/replay-frame/')) frameCsp = response.headers()['content-security-policy'] ?? '';
  });
  try {
    await page.goto(`${server.url}/`);
    await page.evaluate((token) => sessionStorage.setItem('proliferate.token', token), server.adminToken!);
    const response = await page.goto(`${server.url}/issues/${event.issueId}/events/${eventId}/`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    await page.waitForSelector('[data-testid=replay-section] iframe', { timeout: 20_000 }).catch(async (error: Error) => {
      // What the page showed instead (a sign-in form, an error box) is the first thing to look at.
      await page.screenshot({ path: join(repoRoot, 'test-output/screenshots/replay-event-page-failed.png'), fullPage: true });
      throw new Error(`${error.message}\nthe page showed: ${(await page.innerText('body')).slice(0, 300)}`);
    });
    const frame = await waitForFrame(() => page.frames().find((f) => f.url().includes(`/replay-frame/?replay=${replayId}`)));
    await frame.waitForSelector('body[data-current-ms]', { timeout: 20_000 });
    const numbers = () =>
      frame.evaluate(() => ({
        start: Number(document.body.dataset.startMs),
        error: Number(document.body.dataset.errorMs),
        current: Number(document.body.dataset.currentMs),
      }));
    const first = await numbers();
    // The player plays in real time from 5 s before the error; allow for a slow machine.
    let reached = first.current;
    for (let i = 0; i < 300 && reached < first.error; i++) {
      await new Promise((r) => setTimeout(r, 100));
      reached = (await numbers()).current;
    }
    const replayed = await waitForFrame(() => frame.childFrames()[0]);
    const replayedInputs = await replayed.evaluate(() => document.querySelectorAll('input').length);
    await page.screenshot({ path: join(repoRoot, 'test-output/screenshots/replay-event-page.png'), fullPage: true });
    const timelineCrumbs = await frame.$$eval('.moment-label', (labels) => labels.map((l) => l.textContent ?? ''));
    const timelineWidth = await frame.$eval('.replay-timeline', (list) => list.getBoundingClientRect().width);
    // Click-to-seek: the earliest moment lies before where the player now is; it plays on from there.
    const earliest = frame.locator('.moment').first();
    const targetMs = Number(await earliest.getAttribute('data-offset-ms'));
    await earliest.locator('button').click();
    let landedMs = (await numbers()).current;
    for (let i = 0; i < 100 && landedMs > targetMs + 1500; i++) {
      await new Promise((r) => setTimeout(r, 50));
      landedMs = (await numbers()).current;
    }
    return { seek: { targetMs, landedMs }, timelineWidth, csp, frameCsp, startOffsetMs: first.start, errorOffsetMs: first.error, reachedMs: reached, replayedInputs, timelineCrumbs, scriptViolations };
  } finally {
    await page.close();
  }
}

async function waitForFrame(find: () => Frame | undefined): Promise<Frame> {
  for (let i = 0; i < 200; i++) {
    const frame = find();
    if (frame) return frame;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('frame not found');
}
