/**
 * A refused sign-in check must only forget the token it carried. Two tabs of one browser share
 * localStorage: tab A opens the dashboard signed out, and while its tokenless /auth/me/ is still on
 * its way, tab B signs in with "Remember on this device". A's 401 then arrives. It used to wipe B's
 * stored token, signing B out of a valid session (the replay end-to-end test fell to the sign-in
 * form the same way when its page stored a token under load). The test holds A's request in the
 * browser until B has signed in, so the order is certain rather than hoped for.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Route } from 'playwright-core';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { launchBrowser } from './browser.js';

describe('a sign-in check refused while another tab signs in', { timeout: 90_000 }, () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("tab A's late 401 keeps the token tab B remembered, and tab A signs in with it", async () => {
    const context = await browser.newContext();
    const tabA = await context.newPage();
    tabA.setDefaultTimeout(20_000);
    let releaseA!: () => void;
    const aReleased = new Promise<void>((resolve) => (releaseA = resolve));
    let heldA!: () => void;
    const aHeld = new Promise<void>((resolve) => (heldA = resolve));
    let held = false;
    await tabA.route('**/api/0/auth/me/', async (route: Route) => {
      if (held) return route.continue();
      held = true;
      heldA();
      await aReleased;
      await route.continue();
    });
    const aAnswers: number[] = [];
    tabA.on('response', (r) => r.url().endsWith('/api/0/auth/me/') && aAnswers.push(r.status()));
    await tabA.goto(server.url + '/');
    await aHeld;

    const tabB = await context.newPage();
    tabB.setDefaultTimeout(20_000);
    await tabB.goto(server.url + '/');
    await tabB.fill('input[name=token]', server.adminToken!);
    await tabB.check('form.token-form input[type=checkbox]');
    await tabB.click('form.token-form button[type=submit]');
    await tabB.waitForSelector('nav a:has-text("Issues")');

    releaseA();
    // A's held check is answered 401 (it carried no token); A then asks again with the stored one.
    await tabA.waitForSelector('nav a:has-text("Issues")');
    assert.deepEqual(aAnswers, [401, 200]);
    assert.equal(await tabB.evaluate(() => localStorage.getItem('proliferate.token')), server.adminToken);
    await tabB.reload();
    await tabB.waitForSelector('nav a:has-text("Issues")');
    await context.close();
  });
});
