/**
 * End to end: our browser SDK with `@proliferate/sdk/replay` in on-error mode
 * (`sessionSampleRate: 0, onErrorSampleRate: 1`) in a real Chromium. While the visitor types a
 * card number nothing is sent; the click that throws sends the buffered recording with the error.
 * The replay is linked to the error, carries the seed 001 session and window ids, and the typed
 * text is in no stored byte.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { CHECKOUT_BODY, servePage } from './replay/pages.ts';
import { findInStoredBytes, storedSegments } from './replay/stored-bytes.ts';

const TYPED = 'SECRET5500CARD';
const PAGE_TEXT = 'leave the parcel with the neighbour';

describe('our browser SDK with the replay entry in on-error mode, in Chromium', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let ids: { replayId: string; sessionId: string; windowId: string };
  let eventId = '';
  const itemsBeforeError: string[] = [];
  const itemsAfterError: string[] = [];
  let errored = false;

  before(async () => {
    server = await startServer();
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const page = await servePage(fileURLToPath(new URL('./fixtures/replay-own-sdk-app.js', import.meta.url)), CHECKOUT_BODY);
    try {
      const tab = await browser.newPage();
      tab.on('request', (request) => {
        if (!new URL(request.url()).pathname.endsWith('/envelope/')) return;
        const body = request.postDataBuffer()?.toString('latin1') ?? '';
        for (const match of body.matchAll(/"type":"(\w+)"/g)) (errored ? itemsAfterError : itemsBeforeError).push(match[1]!);
      });
      await tab.goto(`${page.url}?dsn=${encodeURIComponent(server.dsn)}`);
      await tab.waitForFunction(() => (window as any).__ready);
      await tab.click('#card');
      await tab.keyboard.type(TYPED, { delay: 20 });
      // Longer than a segment interval: a session-mode recorder would have sent by now.
      await tab.waitForTimeout(6000);
      errored = true;
      await tab.click('#pay');
      await tab.evaluate(() => (window as any).__flushReplay());
      ids = await tab.evaluate(() => (window as any).__ids());
    } finally {
      await browser.close();
      page.server.close();
    }
    for (let i = 0; i < 100 && !eventId; i++) {
      const { body } = await server.api<Array<{ eventId: string }>>(`/api/0/projects/${server.projectId}/events/`);
      eventId = body[0]?.eventId ?? '';
      if (!eventId) await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    await server?.stop();
  });

  test('nothing at all is sent before the error; the error and the replay after it', () => {
    assert.deepEqual(itemsBeforeError, []);
    assert.ok(itemsAfterError.includes('event'), itemsAfterError.join());
    assert.ok(itemsAfterError.includes('replay_event') && itemsAfterError.includes('replay_recording'), itemsAfterError.join());
  });

  test('the buffered replay is stored from before the typing, linked to the error, with the session and window ids', async () => {
    const { body: replay } = await server.api(`/api/0/replays/${ids.replayId}/`);
    assert.equal(replay.id, ids.replayId);
    assert.deepEqual(replay.errorIds, [eventId]);
    assert.equal(replay.replayType, 'buffer');
    assert.equal(replay.sessionId, ids.sessionId);
    assert.equal(replay.windowId, ids.windowId);
    assert.equal(replay.user.id, 'shopper-43');
    assert.equal(replay.tags.plan, 'silver');
    assert.ok(replay.duration >= 6, `duration ${replay.duration}`);
    const { body: event } = await server.api(`/api/0/projects/${server.projectId}/events/${eventId}/`);
    assert.equal(event.tags.replayId, ids.replayId);
    const { body: found } = await server.api(`/api/0/projects/${server.projectId}/replays/?query=${encodeURIComponent(`session_id:${ids.sessionId}`)}`);
    assert.deepEqual(found.map((r: any) => r.id), [ids.replayId]);
  });

  test('the recording starts with a full snapshot and holds the masked typing', async () => {
    const { body } = await server.api<Array<{ type: number; data: any }>>(`/api/0/replays/${ids.replayId}/recording/`);
    assert.equal(body.find((e) => e.type === 2 || e.type === 3)?.type, 2);
    const inputs = body.filter((e) => e.type === 3 && e.data.source === 5);
    assert.ok(inputs.length > 0, 'input events recorded');
    assert.ok(inputs.every((e) => /^\**$/.test(e.data.text)), 'every input value masked');
  });

  test('the typed card number and the page text are in no stored byte', async () => {
    const inflated = (await storedSegments(server)).map((s) => s.json).join('');
    assert.ok(inflated.includes('"type":2'));
    for (const secret of [TYPED, PAGE_TEXT, 'product photo']) assert.equal(inflated.includes(secret), false, `${secret} in a segment`);
    assert.deepEqual(await findInStoredBytes(server, [TYPED, PAGE_TEXT, 'product photo']), [], 'in the database files (and on PostgreSQL its rows and WAL)');
  });
});
