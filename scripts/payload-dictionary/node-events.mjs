/**
 * Captures events from the official @sentry/node SDK, in process, for the dictionary corpus (see
 * build.mjs). A custom transport keeps every event item instead of sending it; the errors come from
 * node-scenarios.mjs, from an express app served on a local port and called with fetch (so the
 * http integrations add request data and breadcrumbs), from unhandled promise rejections and from
 * captureMessage. Console output is muted while the scenarios run (console breadcrumbs still arise).
 */
import * as Sentry from '@sentry/node';
import * as app from './node-scenarios.mjs';
// The seeded generator only; none of the benchmark's event shapes or values enter the corpus.
import { rng } from '../../bench/payload.ts';

const FIRST = ['ana', 'bo', 'chen', 'dara', 'emeka', 'fatima', 'gus', 'hiro', 'ines', 'jon', 'kofi', 'lena', 'mia', 'noor', 'olaf', 'priya'];
const LAST = ['smith', 'okafor', 'nguyen', 'garcia', 'müller', 'kowalski', 'tanaka', 'silva', 'haddad', 'jensen'];
const DOMAINS = ['example.com', 'acme.io', 'mail.test', 'corp.example.org'];
const REGIONS = ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-south-1', 'sa-east-1'];
const PLANS = ['free', 'team', 'business', 'enterprise'];
const SKUS = ['SKU-1042', 'SKU-2210-BLK', 'SKU-88-XL', 'GIFT-CARD-50', 'SKU-7731', 'BNDL-0009'];
const CONFIGS = ['payments', 'search', 'mailer', 'feature-flags', 'rate-limits', 'warehouse'];
const ROUTES = ['/api/orders', '/api/cart', '/api/users/me', '/api/search', '/healthz', '/api/invoices'];

export async function captureNodeEvents(count, seed = 1) {
  const random = rng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
  const hex = (n) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');

  const captured = [];
  Sentry.init({
    dsn: 'http://public@127.0.0.1:9/1',
    release: 'shop-api@2.14.3',
    environment: 'production',
    serverName: 'shop-api-6d9f7c8b5-x2lqk',
    tracesSampleRate: 1,
    transport: () => ({
      send: async (envelope) => {
        for (const [header, payload] of envelope[1]) {
          if (header.type === 'event') captured.push(JSON.parse(JSON.stringify(payload)));
        }
        return { statusCode: 200 };
      },
      flush: async () => true,
    }),
  });

  // Imported after init so the SDK's OpenTelemetry hooks instrument it.
  const { default: express } = await import('express');
  const server = express();
  server.use(express.json());
  server.use((req, _res, next) => {
    const user = req.get('x-user');
    if (user) Sentry.setUser(JSON.parse(user));
    Sentry.setTag('region', req.get('x-region') ?? 'us-east-1');
    Sentry.setTag('plan', req.get('x-plan') ?? 'free');
    next();
  });
  server.get('/users/:id', (req, res) => {
    console.info(`loading profile ${req.params.id}`);
    const user = req.params.id.startsWith('u') ? { profile: { firstName: 'A', lastName: 'B' } } : { id: req.params.id };
    res.json({ name: app.userDisplayName(user) });
  });
  server.post('/orders/quote', (req, res) => res.json(app.priceOrder(req.body)));
  server.post('/checkout', (req, res) => {
    app.validateAddress(req.body.address);
    res.json(app.chargeCard(req.body, Number(req.get('x-attempt') ?? 1)));
  });
  server.post('/webhooks/:provider', express.text({ type: '*/*' }), (req, res) => {
    res.json(app.parseWebhookBody(typeof req.body === 'string' ? req.body : JSON.stringify(req.body)));
  });
  server.get('/session', (req, res) => res.json(app.decodeSessionCookie(String(req.query.token ?? ''))));
  server.get('/redirect', (req, res) => res.redirect(app.resolveRedirect(String(req.query.to), String(req.query.base ?? ''))));
  server.get('/uploads/:id', async (req, res) => res.json({ size: await app.readUpload(req.params.id) }));
  server.get('/inventory/:sku', (req, res) => {
    if (req.params.sku.endsWith('XL')) return res.status(503).json({ error: 'warehouse unavailable' });
    res.json({ sku: req.params.sku, available: 3 });
  });
  Sentry.setupExpressErrorHandler(server);
  server.use((_err, _req, res, _next) => res.status(500).json({ error: 'internal' }));
  const listener = await new Promise((resolve) => {
    const l = server.listen(0, '127.0.0.1', () => resolve(l));
  });
  const port = listener.address().port;

  const person = () => {
    const first = pick(FIRST);
    const last = pick(LAST);
    return {
      id: String(int(1000, 999999)),
      email: `${first}.${last}@${pick(DOMAINS)}`,
      username: `${first}${int(1, 99)}`,
      ip_address: `${int(10, 203)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`,
    };
  };
  const order = () => ({
    id: `ord_${hex(12)}`,
    taxRate: pick([0.07, 0.19, 0.2, 0.0825]),
    card: { last4: pick(['4242', '0002', '1881']) },
    lines: Array.from({ length: int(1, 4) }, () => ({ product: { sku: pick(SKUS), price: random() < 0.8 ? { amount: int(100, 99999) } : undefined }, quantity: int(1, 5) })),
    address: { country: pick(['DE', 'US', 'us', 'GB', 'Fr', 'JP']), postalCode: random() < 0.7 ? String(int(10000, 99999)) : '' },
  });
  const headers = (user) => ({ 'content-type': 'application/json', 'x-user': JSON.stringify(user), 'x-region': pick(REGIONS), 'x-plan': pick(PLANS), 'user-agent': pick(['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36', 'okhttp/4.12.0', 'shop-ios/5.3.1 CFNetwork/1494.0.7 Darwin/23.4.0', 'python-requests/2.32.3']) });
  const request = (path, init) => fetch(`http://127.0.0.1:${port}${path}`, init).then((r) => r.text()).catch(() => undefined);

  const chatter = () => {
    for (let i = int(0, 8); i > 0; i--) {
      const line = pick([
        () => console.log(`GET ${pick(ROUTES)} ${pick([200, 200, 200, 304, 404])} ${int(2, 480)}ms`),
        () => console.info(`cache ${pick(['hit', 'miss'])} for ${pick(SKUS)} in ${pick(REGIONS)}`),
        () => console.warn(`slow query (${int(200, 4000)} ms): SELECT * FROM orders WHERE customer_id = $1 LIMIT ${int(10, 100)}`),
        () => console.log(`job ${hex(8)} queued on ${pick(['emails', 'exports', 'billing'])}`),
        () => console.error(`retrying upstream ${pick(['payments', 'tax', 'shipping'])} after ${pick(['ECONNRESET', 'ETIMEDOUT', '502'])}`),
      ]);
      line();
    }
  };
  const scoped = (fn) =>
    Sentry.withIsolationScope(async (scope) => {
      scope.setTag('job', pick(['checkout', 'sync-inventory', 'send-digest', 'export-csv', 'reindex']));
      scope.setTag('region', pick(REGIONS));
      if (random() < 0.5) scope.setTag('tenant', `t_${hex(6)}`);
      if (random() < 0.6) scope.setUser(person());
      if (random() < 0.5) scope.setContext('order', { id: `ord_${hex(12)}`, items: int(1, 9), total: int(500, 250000), currency: pick(['EUR', 'USD', 'GBP']) });
      if (random() < 0.3) scope.setExtra('attempt', int(1, 5));
      chatter();
      if (random() < 0.4) await fetch(`http://127.0.0.1:${port}/inventory/${pick(SKUS)}`).then((r) => r.text()).catch(() => undefined);
      try {
        await fn();
      } catch (error) {
        Sentry.captureException(error);
      }
    });

  const jobs = [
    () => scoped(() => app.loadServiceConfig(`${pick(CONFIGS)}-${int(1, 40)}`)),
    () => scoped(() => app.parseWebhookBody(pick(['{"id": 1,', '<html>502 Bad Gateway</html>', '', `{"id":"evt_${hex(10)}" "type":"charge"}`, 'undefined']))),
    () => scoped(() => app.priceOrder({ ...order(), lines: [{ product: {}, quantity: int(1, 3) }] })),
    () => scoped(() => app.formatInvoiceAmount(int(1, 10 ** 6), int(101, 400))),
    () => scoped(() => app.validateAddress(order().address.postalCode ? { country: 'Germany', postalCode: '10115' } : { country: 'US', postalCode: '' })),
    () => scoped(() => app.chargeCard({ ...order(), card: { last4: '0002' } }, int(1, 3))),
    () => scoped(() => app.decodeSessionCookie(pick(['%E0%A4%A', `eyJ${hex(12)}`, 'bm90IGpzb24=']))),
    () => scoped(() => app.userDisplayName({ id: String(int(1, 1e6)) })),
    () => scoped(() => app.permissionsFor({ roles: [{ name: 'viewer', grants: null }] }, pick(['invoices', 'reports']))),
    () => scoped(() => app.resolveRedirect(pick(['//evil', '/next']), pick(['', 'not a url', 'shop']))),
    () => scoped(() => app.readUpload(`${hex(8)}-${hex(4)}`)),
    () => scoped(() => app.attachmentSize(`/srv/attachments/${int(2019, 2025)}/${hex(16)}.pdf`)),
    () => scoped(() => app.inflateCachedPage(Buffer.from(hex(40), 'hex'))),
    () => scoped(() => app.makeBuffer(-int(1, 100))),
    () => scoped(() => app.runReport([{ a: 1 }], [{ key: 'a' }, null])),
    () => scoped(() => { const node = { label: 'root', children: [] }; node.children.push(node); return app.recursiveMenu(node); }),
    () => scoped(() => app.retryWithBackoff((i) => app.fetchInventory(port, `SKU-${i}-XL`), int(2, 3))),
    () => scoped(() => fetch(`http://127.0.0.1:1/${pick(['charges', 'refunds'])}`).then((r) => r.json())),
    () => scoped(async () => {
      Sentry.captureMessage(pick([`Stock for ${pick(SKUS)} fell below ${int(1, 20)}`, `Webhook ${hex(8)} retried ${int(3, 9)} times`, `Slow checkout: ${int(3, 30)} s for order ord_${hex(12)}`, `Feature flag ${pick(['new-cart', 'tax-v2'])} evaluated with missing context`]), pick(['warning', 'info', 'error']));
    }),
    // Request handlers: express error handler captures, http integrations add request data.
    () => request(`/users/${pick(['', 'u'])}${int(1, 99999)}`, { headers: headers(person()) }),
    () => request('/orders/quote', { method: 'POST', headers: headers(person()), body: JSON.stringify({ ...order(), lines: [{ product: { sku: pick(SKUS) }, quantity: 1 }] }) }),
    () => request('/checkout', { method: 'POST', headers: { ...headers(person()), 'x-attempt': String(int(1, 3)) }, body: JSON.stringify(order()) }),
    () => request(`/webhooks/${pick(['stripe', 'github', 'shopify'])}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: pick(['{"id":', `{"type":"charge.succeeded" "id":"${hex(10)}"}`]) }),
    () => request(`/session?token=${pick(['%E0%A4%A', 'e30', `x${hex(6)}`])}`, { headers: headers(person()) }),
    () => request(`/redirect?to=${pick(['next', '/home'])}&base=${pick(['', 'nope'])}`, { headers: headers(person()) }),
    () => request(`/uploads/${hex(10)}`, { headers: headers(person()) }),
    // Unhandled rejection, captured by the SDK's onUnhandledRejection integration.
    () => { void app.readUpload(`orphan-${hex(6)}`); return new Promise((resolve) => setTimeout(resolve, 5)); },
  ];

  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = () => true;
  process.stderr.write = () => true;
  try {
    while (captured.length < count) {
      await pick(jobs)();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Sentry.flush(2000);
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    listener.close();
    await Sentry.close(2000);
  }
  return captured.slice(0, count);
}
