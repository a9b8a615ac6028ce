/**
 * Stored bytes per minute of a typical replay: a store page in Chromium with the mouse moving,
 * clicks that open details, typing in a search box and a clock ticking, recorded by our SDK and
 * by @sentry/browser in session mode for SECONDS each, sent to a real server; the figure is the
 * replay's stored (compressed) bytes scaled to one minute.
 */
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../../tests/helpers/server.js';
import { servePage } from '../../../tests/e2e/replay/pages.js';

const SECONDS = 30;

export async function replayStorage(): Promise<Record<string, { bytes_per_minute: number; seconds: number; segments: number; uncompressed_per_minute: number }>> {
  const server = await startServer();
  const page = await servePage(fileURLToPath(new URL('./fixtures/replay-activity.js', import.meta.url)), '<div id="app"></div>', {
    '@proliferate/protocol': fileURLToPath(new URL('../../protocol/src/index.ts', import.meta.url)),
  });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const out: Record<string, { bytes_per_minute: number; seconds: number; segments: number; uncompressed_per_minute: number }> = {};
  const seen = new Set<string>();
  try {
    for (const sdk of ['proliferate', 'sentry_browser']) {
      const tab = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await tab.goto(`${page.url}?sdk=${sdk === 'sentry_browser' ? 'sentry' : 'ours'}&dsn=${encodeURIComponent(server.dsn)}`);
      await tab.waitForFunction(() => (window as any).__ready);
      const end = Date.now() + SECONDS * 1000;
      for (let step = 0; Date.now() < end; step++) {
        await tab.mouse.move(100 + ((step * 97) % 900), 100 + ((step * 53) % 600), { steps: 5 });
        if (step % 4 === 0) await tab.click(`#list li:nth-child(${1 + (step % 20)}) .product`).catch(() => undefined);
        if (step % 10 === 5) await tab.fill('#search', '');
        if (step % 10 === 6) await tab.type('#search', ['oak', 'lamp', 'rug'][step % 3]!, { delay: 60 });
        if (step % 7 === 0) await tab.mouse.wheel(0, step % 14 === 0 ? 300 : -300);
        await tab.waitForTimeout(400);
      }
      await tab.evaluate(() => (window as any).__flush());
      await tab.waitForTimeout(500);
      await tab.close();
      const { body: all } = await server.api<Array<{ id: string; duration: number; storedBytes: number; recordingBytes: number; segments: number }>>(
        `/api/0/projects/${server.projectId}/replays/`,
      );
      const replay = all.find((r) => !seen.has(r.id));
      if (!replay) throw new Error(`no replay stored for ${sdk}`);
      seen.add(replay.id);
      const minutes = replay.duration / 60;
      out[sdk] = {
        bytes_per_minute: Math.round(replay.storedBytes / minutes),
        uncompressed_per_minute: Math.round(replay.recordingBytes / minutes),
        seconds: replay.duration,
        segments: replay.segments,
      };
    }
  } finally {
    await browser.close();
    page.server.close();
    await server.stop();
  }
  return out;
}
