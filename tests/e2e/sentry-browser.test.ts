/**
 * End to end with the official @sentry/browser in a real Chromium: the page (bundled here with
 * esbuild, served from another origin) sets tags, a user, a context and breadcrumbs, throws from
 * nested functions at two places (3 and 5 times), and leaves an error and a rejection uncaught.
 * Browsers send cross-origin `text/plain` requests with the key in the `sentry_key` query
 * parameter, and say with `sdk.settings.infer_ip` whether the server may store the visitor's IP
 * ("auto", the default, on the first page; "never" on a second page that turns user data
 * collection off). Fingerprints are computed here from the names the pages use.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import {
  framesFromThrow, getEvent, issueTags, listIssueEventIds, listIssues, percentages, v1Fingerprint, type ApiIssue,
  issueWithFingerprint,
} from '../helpers/official-clients.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const F = 'app.js';
const COUPON = v1Fingerprint('TypeError', [['validateCoupon', F], ['applyCoupon', F], ['submitOrder', F]]);
const PRICE = v1Fingerprint('RangeError', [['renderPrice', F], ['renderLine', F], ['renderCart', F]]);
const WIDGET = v1Fingerprint('TypeError', [['crashWidget', F], ['renderWidget', F], ['mountWidget', F]]);
const CHECKOUT = v1Fingerprint('Error', [['fetchCheckout', F], ['startCheckout', F], ['onCheckoutClick', F]]);
/** The second page, with user data collection turned off. */
const PRIVATE_F = 'private.js';
const PRIVATE = v1Fingerprint('Error', [['failQuietly', PRIVATE_F], ['reportFailure', PRIVATE_F], ['main', PRIVATE_F]]);

interface PageReport { flushed: boolean; ids: { coupon: string[]; price: string[] }; sdk: string }
interface Sent { status: number; contentType: string | undefined; queryKey: string | null; origin: string | undefined }

/**
 * Serves pages from 127.0.0.1 on a port of their own (another origin than the server): for each
 * `name: fixture`, `/{name}` is a page loading `/scripts/{name}`, the fixture bundled by esbuild
 * (so `name` is the file name in the stack frames).
 */
async function servePages(pages: Record<string, string>): Promise<{ server: Server; url: string }> {
  const scripts = new Map<string, string>();
  for (const [name, fixture] of Object.entries(pages)) {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url))],
      bundle: true, write: false, format: 'iife', target: 'es2020', logLevel: 'silent',
    });
    scripts.set(name, bundle.outputFiles[0]!.text);
  }
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://page.test').pathname;
    const script = path.startsWith('/scripts/') ? scripts.get(path.slice('/scripts/'.length)) : undefined;
    if (script !== undefined) {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (scripts.has(path.slice(1))) {
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>shop</title><script src="/scripts${path}"></script>`);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

describe('official @sentry/browser in Chromium reporting to the server', () => {
  let server: RunningServer;
  let report: PageReport;
  let pageUrl: string;
  let privateReport: { flushed: boolean; id: string };
  const sent: Sent[] = [];
  let issues: ApiIssue[];
  const issueBy = (fingerprint: string) => issueWithFingerprint(issues, fingerprint);

  before(async () => {
    server = await startServer();
    const page = await servePages({ [F]: 'browser-app.js', [PRIVATE_F]: 'browser-private-app.js' });
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const tab = await browser.newPage();
      tab.on('response', (response) => {
        const url = new URL(response.url());
        if (!url.pathname.endsWith('/envelope/')) return;
        sent.push({
          status: response.status(),
          contentType: response.request().headers()['content-type'],
          queryKey: url.searchParams.get('sentry_key'),
          origin: response.headers()['access-control-allow-origin'],
        });
      });
      pageUrl = `${page.url}${F}?dsn=${encodeURIComponent(server.dsn)}`;
      await tab.goto(pageUrl);
      await tab.waitForFunction(() => (window as any).__report, null, { timeout: 20_000 });
      report = await tab.evaluate(() => (window as any).__report as PageReport);
      await tab.goto(`${page.url}${PRIVATE_F}?dsn=${encodeURIComponent(server.dsn)}`);
      await tab.waitForFunction(() => (window as any).__report, null, { timeout: 20_000 });
      privateReport = await tab.evaluate(() => (window as any).__report as { flushed: boolean; id: string });
    } finally {
      await browser.close();
      page.server.close();
    }
    issues = (await listIssues(server)).filter((i) => i.fingerprint !== PRIVATE);
  });
  after(async () => {
    await server?.stop();
  });

  test('every cross-origin text/plain envelope with the key in the query string is answered 200 with CORS', () => {
    assert.equal(report.flushed, true);
    assert.equal(report.sdk.split('.')[0], '11');
    assert.ok(sent.length >= 8, `only ${sent.length} envelopes seen`);
    for (const request of sent) {
      assert.equal(request.status, 200);
      assert.match(request.contentType ?? '', /^text\/plain/);
      assert.equal(request.queryKey, server.publicKey);
      assert.equal(request.origin, '*');
    }
  });

  test('errors captured at two throw sites make two issues with independently computed v1 fingerprints, counts 3 and 5', async () => {
    assert.deepEqual(issues.map((i) => i.fingerprint).sort(), [COUPON, PRICE, WIDGET, CHECKOUT].sort());
    assert.equal(issueBy(COUPON).count, 3);
    assert.equal(issueBy(PRICE).count, 5);
    assert.deepEqual((await listIssueEventIds(server, issueBy(COUPON).id)).sort(), [...report.ids.coupon].sort());
    assert.deepEqual((await listIssueEventIds(server, issueBy(PRICE).id)).sort(), [...report.ids.price].sort());
    const event = await getEvent(server, report.ids.price[0]!);
    assert.deepEqual(framesFromThrow(event), [['renderPrice', F], ['renderLine', F], ['renderCart', F]]);
  });

  test('tags, user (with the IP the SDK asked the server to infer), context, breadcrumbs and page URL arrive intact', async () => {
    const event = await getEvent(server, report.ids.coupon[2]!);
    assert.equal(event.tags.app, 'storefront');
    assert.equal(event.tags.variant, 'b');
    assert.equal(event.tags.release, 'web@2.0.0');
    assert.equal(event.sdk.settings?.infer_ip, 'auto');
    assert.deepEqual(event.user, { id: 'visitor-7', email: 'carol@example.com', ip_address: '127.0.0.1' });
    assert.deepEqual(event.contexts.cart, { items: 1 });
    assert.ok(event.breadcrumbs.some((b: any) => b.category === 'ui.click' && b.message === 'clicked buy'));
    assert.equal(event.request?.url, pageUrl);
    assert.deepEqual(event.processingErrors, []);
  });

  test('an uncaught error from a timer and an unhandled rejection each become an unhandled issue of their own', async () => {
    for (const [fingerprint, title, frames] of [
      [WIDGET, 'TypeError: widget has no root element', [['crashWidget', F], ['renderWidget', F], ['mountWidget', F]]],
      [CHECKOUT, 'Error: checkout request failed', [['fetchCheckout', F], ['startCheckout', F], ['onCheckoutClick', F]]],
    ] as const) {
      const issue = issueBy(fingerprint);
      assert.equal(issue.title, title);
      assert.equal(issue.count, 1);
      const [eventId] = await listIssueEventIds(server, issue.id);
      const event = await getEvent(server, eventId!);
      assert.equal(event.exception.values.at(-1).mechanism.handled, false);
      assert.deepEqual(framesFromThrow(event), frames);
    }
  });

  test('with user data collection turned off (infer_ip "never") the visitor\'s IP is not stored', async () => {
    assert.equal(privateReport.flushed, true);
    const event = await getEvent(server, privateReport.id);
    assert.equal(event.grouping.fingerprint, PRIVATE);
    assert.equal(event.sdk.settings?.infer_ip, 'never');
    assert.deepEqual(event.user, { id: 'visitor-8' });
  });

  test('scoped tag percentages: variant a 2/3 vs b 1/3 on its issue only; the init tag on every event', async () => {
    const couponTags = await issueTags(server, issueBy(COUPON).id);
    const priceTags = await issueTags(server, issueBy(PRICE).id);
    assert.deepEqual(percentages(couponTags, 'variant'), { a: 66.67, b: 33.33 });
    assert.equal(percentages(priceTags, 'variant'), undefined);
    assert.deepEqual(percentages(priceTags, 'app'), { storefront: 100 });
    assert.deepEqual(percentages(couponTags, 'app'), { storefront: 100 });
  });
});
