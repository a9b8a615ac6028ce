/**
 * The script-tag build in a real Chromium (Debian's, driven by playwright-core; no browser is
 * downloaded): a page throws, and the event lands on the server with its breadcrumbs, trace id and
 * window id.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import { issueEvents, issueWithCount, waitFor, type ApiEvent } from './e2e-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const scriptPath = new URL('../dist/browser/proliferate.min.js', import.meta.url).pathname;

let server: RunningServer;
let site: http.Server;
let siteUrl: string;
let browser: Browser;
const apiTraceHeaders: string[] = [];

function page(dsn: string): string {
  return `<!doctype html><html><head><title>shop</title>
<script src="/proliferate.min.js"></script>
<script>
  Proliferate.init({ dsn: ${JSON.stringify(dsn)}, environment: 'browser-e2e', release: 'web@1.0.0', tracePropagationTargets: ['same-origin'] });
  Proliferate.setTag('page_kind', 'checkout');
  Proliferate.setUser({ id: 'user-7' });
</script></head><body>
<script>
  window.firstTraceId = Proliferate.getTraceId();
  console.info('cart loaded', { items: 2 });
  fetch('/api/cart?token=abc123').then(function () {
    var xhr = new XMLHttpRequest();
    xhr.open('GET', '/api/prices');
    xhr.onloadend = function () {
      history.pushState({}, '', '/checkout/payment');
      window.traceAfterNavigation = Proliferate.getTraceId();
      window.windowId = Proliferate.getWindowId();
      window.sessionId = Proliferate.getSessionId();
      setTimeout(function payButton() {
        function checkout() { var cart; return cart.id; }
        checkout();
      }, 0);
    };
    xhr.send();
  });
</script></body></html>`;
}

/** A page that reports something while it is being left: only keepalive gets it out. */
function leavingPage(dsn: string): string {
  return `<!doctype html><html><head>
<script src="/proliferate.min.js"></script>
<script>
  Proliferate.init({ dsn: ${JSON.stringify(dsn)} });
  addEventListener('pagehide', function () {
    Proliferate.captureMessage('left the checkout with items in the cart', 'warning');
  });
</script></head><body>leaving</body></html>`;
}

/** Clicks on a button (on the icon inside it), on a card number field, and on a link. */
function clicksPage(dsn: string): string {
  return `<!doctype html><html><head>
<script src="/proliferate.min.js"></script>
<script>Proliferate.init({ dsn: ${JSON.stringify(dsn)} });</script></head><body>
<main id="shop"><form class="pay-form" onsubmit="return false">
  <input name="card" type="text" value="4111 1111 1111 1111">
  <button class="btn primary" type="submit" data-testid="pay"><span class="icon">$</span> Pay Alice 42 EUR</button>
</form></main>
<p><a class="help" href="#help" onclick="event.stopPropagation()">Need help?</a></p>
</body></html>`;
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), 'Debian chromium is installed at /usr/bin/chromium');
  assert.ok(existsSync(scriptPath), 'the script build exists (npm run build)');
  server = await startServer();
  site = http.createServer((req, res) => {
    if (req.url === '/proliferate.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(scriptPath));
    } else if (req.url === '/leaving') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(leavingPage(server.dsn));
    } else if (req.url === '/clicks') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(clicksPage(server.dsn));
    } else if (req.url === '/elsewhere') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>elsewhere</p>');
    } else if (req.url?.startsWith('/api/')) {
      apiTraceHeaders.push(String(req.headers['sentry-trace'] ?? ''));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page(server.dsn));
    }
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => site?.close(resolve));
  await server?.stop();
});

describe('browser script build in Chromium', () => {
  test('an error thrown in the page lands with breadcrumbs, trace id and window id', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${siteUrl}/checkout`);
    await tab.waitForFunction(() => (window as unknown as { windowId?: string }).windowId !== undefined);
    const ids = await tab.evaluate(() => {
      const w = window as unknown as Record<string, string>;
      return { first: w.firstTraceId!, afterNavigation: w.traceAfterNavigation!, windowId: w.windowId!, sessionId: w.sessionId! };
    });

    const issue = await issueWithCount(server, 'TypeError', 1);
    const [event] = (await issueEvents(server, issue.id)) as [ApiEvent];
    assert.match(event.exception!.values.at(-1)!.value, /undefined/);
    assert.equal(event.exception!.values.at(-1)!.stacktrace!.frames.at(-1)!.function, 'checkout');
    assert.equal(event.tags.page_kind, 'checkout');
    assert.equal(event.tags.environment, 'browser-e2e');
    assert.equal(event.user!.id, 'user-7');

    // ids: window id per tab, session id, and the trace renewed by the SPA navigation
    assert.match(ids.windowId, /^[0-9a-f]{32}$/);
    assert.equal(event.windowId, ids.windowId);
    assert.equal(event.sessionId, ids.sessionId);
    assert.notEqual(ids.afterNavigation, ids.first, 'pushState starts a new trace');
    assert.equal(event.traceId, ids.afterNavigation);

    // breadcrumbs: console, fetch (secret stripped from the URL), XHR, navigation
    const crumbs = event.breadcrumbs;
    const categories = crumbs.map((b) => b.category);
    for (const category of ['console', 'fetch', 'xhr', 'navigation']) assert.ok(categories.includes(category), `a ${category} breadcrumb`);
    const fetchCrumb = crumbs.find((b) => b.category === 'fetch')!;
    assert.equal(fetchCrumb.data!.url, `${siteUrl}/api/cart?token=[Filtered]`);
    assert.equal(fetchCrumb.data!.status_code, 200);
    const navigation = crumbs.find((b) => b.category === 'navigation')!;
    assert.equal(navigation.data!.to, `${siteUrl}/checkout/payment`);
    assert.ok(!crumbs.some((b) => String(b.data?.url ?? '').includes('/envelope/')), 'the SDK does not record its own requests');

    // same-origin API calls carried the page's trace (tracePropagationTargets: ['same-origin'])
    assert.equal(apiTraceHeaders.length, 2);
    for (const header of apiTraceHeaders) assert.match(header, new RegExp(`^${ids.first}-[0-9a-f]{16}$`));

    // a second tab of the same context shares the session but has its own window id
    const second = await context.newPage();
    await second.goto(`${siteUrl}/checkout`);
    await second.waitForFunction(() => (window as unknown as { windowId?: string }).windowId !== undefined);
    const secondIds = await second.evaluate(() => {
      const w = window as unknown as Record<string, string>;
      return { windowId: w.windowId!, sessionId: w.sessionId! };
    });
    assert.notEqual(secondIds.windowId, ids.windowId);
    assert.equal(secondIds.sessionId, ids.sessionId);
    await waitFor('the second tab event', async () => ((await issueWithCount(server, 'TypeError', 2)) ? true : undefined));
    await context.close();
  });

  test('clicks are breadcrumbs: the element path, and its text with letters and digits masked', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${siteUrl}/clicks`);
    await tab.click('button .icon');
    await tab.click('input[name=card]');
    await tab.click('a.help'); // its handler stops propagation: the breadcrumb is taken before
    await tab.evaluate(() => (window as unknown as { Proliferate: { captureException(e: Error): void } }).Proliferate.captureException(new Error('after the clicks')));
    const issue = await issueWithCount(server, 'after the clicks', 1);
    const [event] = (await issueEvents(server, issue.id)) as [ApiEvent];
    const clicks = event.breadcrumbs.filter((b) => b.category === 'ui.click');
    assert.deepEqual(
      clicks.map((b) => [b.message, b.data?.text]),
      [
        ['main#shop > form.pay-form > button.btn.primary[type="submit"][data-testid="pay"]', '$ *** ***** ** ***'],
        ['main#shop > form.pay-form > input[name="card"][type="text"]', undefined],
        ['body > p > a.help', '**** ****?'],
      ],
    );
    assert.ok(!JSON.stringify(event.breadcrumbs).includes('4111'), 'the typed card number is nowhere');
    await context.close();
  });

  test('an event captured while the page unloads still lands (keepalive)', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${siteUrl}/leaving`);
    await tab.goto(`${siteUrl}/elsewhere`);
    const issue = await issueWithCount(server, 'left the checkout', 1);
    assert.equal(issue.count, 1);
    await context.close();
  });
});
