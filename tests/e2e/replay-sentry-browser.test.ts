/**
 * End to end: the official @sentry/browser with replayIntegration() (defaults: text and inputs
 * masked, media blocked) on a page served from another origin, in a real Chromium. The visitor
 * types a card number, clicks Pay and the handler throws. The replay must arrive, be linked to
 * that error, play in the dashboard up to the error, and the typed text must not be in any byte
 * the server stored.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { cliPath, startServer, type RunningServer } from '../helpers/server.ts';
import { CHECKOUT_BODY, servePage } from './replay/pages.ts';
import { playInDashboard } from './replay/dashboard-player.ts';
import { findInStoredBytes, storedSegments } from './replay/stored-bytes.ts';

const run = promisify(execFile);
const TYPED = 'SECRET4111CARD';
const PAGE_TEXT = 'leave the parcel with the neighbour';

describe('official @sentry/browser replayIntegration in Chromium', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let replayId: string;
  let eventId: string;
  const envelopeStatuses: number[] = [];
  const itemTypes: string[] = [];

  before(async () => {
    server = await startServer();
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const page = await servePage(fileURLToPath(new URL('./fixtures/replay-sentry-app.js', import.meta.url)), CHECKOUT_BODY);
    try {
      const tab = await browser.newPage();
      tab.on('response', (response) => {
        if (!new URL(response.url()).pathname.endsWith('/envelope/')) return;
        envelopeStatuses.push(response.status());
        const body = response.request().postDataBuffer()?.toString('latin1') ?? '';
        for (const match of body.matchAll(/\{"type":"(\w+)"/g)) itemTypes.push(match[1]!);
      });
      await tab.goto(`${page.url}?dsn=${encodeURIComponent(server.dsn)}`);
      await tab.waitForFunction(() => (window as any).__ready);
      await tab.waitForTimeout(300);
      await tab.click('#card');
      await tab.keyboard.type(TYPED, { delay: 20 });
      // The SDK sends no replay shorter than its minReplayDuration (5 s by default).
      await tab.waitForTimeout(5200);
      await tab.click('#pay');
      replayId = await tab.evaluate(() => (window as any).__flushReplay());
    } finally {
      await tab_close(browser);
      page.server.close();
    }
    // The error event is written by the event writer; wait until the API lists it.
    for (let i = 0; i < 100 && !eventId; i++) {
      const { body } = await server.api<Array<{ eventId: string }>>(`/api/0/projects/${server.projectId}/events/`);
      eventId = body[0]?.eventId ?? '';
      if (!eventId) await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('replay envelopes are accepted (200) and the replay lists with its error, user, URL and segments', async () => {
    assert.ok(envelopeStatuses.length >= 2, `only ${envelopeStatuses.length} envelopes`);
    assert.deepEqual([...new Set(envelopeStatuses)], [200]);
    assert.ok(itemTypes.includes('replay_recording') && itemTypes.includes('event'), itemTypes.join());
    assert.match(replayId, /^[0-9a-f]{32}$/);
    const { status, body } = await server.api(`/api/0/projects/${server.projectId}/replays/`);
    assert.equal(status, 200);
    assert.equal(body.length, 1);
    const replay = body[0];
    assert.equal(replay.id, replayId);
    assert.deepEqual(replay.errorIds, [eventId]);
    assert.ok(replay.segments >= 1);
    assert.ok(replay.duration > 0);
    assert.equal(replay.user.id, 'shopper-42');
    assert.ok(replay.urls.some((u: string) => u.startsWith('http://127.0.0.1:')), JSON.stringify(replay.urls));
    assert.equal(replay.tags.plan, 'gold');
    assert.equal(replay.release, 'shop@1.0.0');
  });

  test('the error event carries the replay id, and the replay is found by user, URL, tag and id', async () => {
    const { body: event } = await server.api(`/api/0/projects/${server.projectId}/events/${eventId}/`);
    assert.equal(event.tags.replayId, replayId);
    for (const query of ['dana@example', 'user.id:shopper-42', 'plan:gold', 'url:127.0.0.1', replayId]) {
      const { body } = await server.api(`/api/0/projects/${server.projectId}/replays/?query=${encodeURIComponent(query)}`);
      assert.deepEqual(body.map((r: any) => r.id), [replayId], query);
    }
    const { body: none } = await server.api(`/api/0/projects/${server.projectId}/replays/?query=${encodeURIComponent('plan:silver')}`);
    assert.deepEqual(none, []);
  });

  test('the recording is the rrweb events in order, starting with a full snapshot, up to the click', async () => {
    const { status, body } = await server.api<Array<{ type: number; timestamp: number; data: any }>>(`/api/0/replays/${replayId}/recording/`);
    assert.equal(status, 200);
    assert.ok(body.some((e) => e.type === 2), 'a full snapshot');
    for (let i = 1; i < body.length; i++) assert.ok(body[i]!.timestamp >= body[i - 1]!.timestamp, `in order: ${JSON.stringify(body.slice(Math.max(0, i - 2), i + 1)).slice(0, 1500)}`);
    const { body: event } = await server.api(`/api/0/projects/${server.projectId}/events/${eventId}/`);
    const errorMs = Date.parse(event.dateCreated ?? event.timestamp);
    assert.ok(body[0]!.timestamp <= errorMs && body.at(-1)!.timestamp >= errorMs - 2000, 'the recording covers the error');
  });

  test('the typed card number and the page text are in no stored byte: database, WAL, inflated segments', async () => {
    const segments = await storedSegments(server);
    assert.ok(segments.length >= 1);
    const inflated = segments.map((s) => s.json).join('');
    assert.ok(inflated.includes('"type":2'), 'the segments are readable rrweb JSON');
    assert.ok(inflated.includes('*'.repeat(6)), 'masked text is stored as asterisks');
    for (const secret of [TYPED, PAGE_TEXT]) assert.equal(inflated.includes(secret), false, `${secret} in a segment`);
    assert.deepEqual(await findInStoredBytes(server, [TYPED, PAGE_TEXT]), [], 'in the database files (and on PostgreSQL its rows and WAL)');
    assert.notDeepEqual(await findInStoredBytes(server, ['dana@example.com']), [], 'the check finds what is stored unmasked (the user email)');
  });

  test('another project\'s token sees neither the replay nor its recording (404)', async () => {
    const { body: project } = await server.api('/api/0/projects/', { body: { name: 'other' } });
    const { stdout } = await run(process.execPath, [cliPath, 'token', 'create', '--name', 'other-only', '--project', String(project.id), '--data-dir', server.dataDir], {
      env: { ...process.env, ...server.storeEnv },
    });
    const token = { token: stdout.trim() };
    for (const path of [`/api/0/replays/${replayId}/`, `/api/0/replays/${replayId}/recording/`, `/api/0/projects/${server.projectId}/replays/`]) {
      const { status, body } = await server.api(path, { token: token.token });
      assert.equal(status, 404, path);
      assert.equal(body.error.code, 'not_found');
    }
    const { status, body } = await server.api(`/api/0/projects/${project.id}/replays/`, { token: token.token });
    assert.equal(status, 200);
    assert.deepEqual(body, []);
  });

  test('the dashboard shows Replay on the error and plays it from before the error up to the error moment, with no inline script allowed', async (t) => {
    const result = await playInDashboard(browser, server, eventId, replayId);
    t.diagnostic(`player started at ${result.startOffsetMs} ms, error at ${result.errorOffsetMs} ms, reached ${result.reachedMs} ms; timeline: ${result.timelineCrumbs.length} moments`);
    assert.ok(result.startOffsetMs < result.errorOffsetMs, 'starts before the error');
    assert.ok(result.reachedMs >= result.errorOffsetMs, `reached ${result.reachedMs} of ${result.errorOffsetMs}`);
    assert.ok(result.replayedInputs >= 1, 'the replayed page has the card input');
    assert.match(result.csp, /script-src 'self'(;|$)/);
    assert.match(result.frameCsp, /script-src 'self'(;|$)/);
    assert.deepEqual(result.scriptViolations, []);
    assert.ok(result.timelineCrumbs.some((c) => c.includes('paying now')), JSON.stringify(result.timelineCrumbs));
    assert.ok(result.timelineWidth >= 600, `timeline ${result.timelineWidth} px wide`);
    assert.ok(result.seek.targetMs < result.reachedMs - 1500, `the earliest moment (${result.seek.targetMs} ms) lies before the error`);
    assert.ok(result.seek.landedMs >= result.seek.targetMs - 100 && result.seek.landedMs <= result.seek.targetMs + 1500, `a click on it seeks there: ${JSON.stringify(result.seek)}`);
  });
});

async function tab_close(browser: Browser): Promise<void> {
  for (const context of browser.contexts()) for (const page of context.pages()) await page.close();
}
