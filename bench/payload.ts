/**
 * Events shaped like the ones @sentry/node sends: 15 frames (oldest first, mixed in_app and library,
 * context lines on in_app frames), 10 tags from low-cardinality sets, 20 breadcrumbs, user,
 * contexts (os, runtime, trace), sdk. About 5-6 KB of JSON each.
 *
 * Everything is deterministic from a seed. An issue number decides the exception type, message and
 * the three most recent frames, so grouping v1 puts every event of issue N into the same issue.
 */
import { gzipSync } from 'node:zlib';

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const hex = (random: () => number, length: number) => {
  let out = '';
  while (out.length < length) out += Math.floor(random() * 0x100000000).toString(16).padStart(8, '0');
  return out.slice(0, length);
};

/** Tag sets: the query bench filters on tier and region. */
export const TAG_VALUES = {
  tier: ['free', 'pro', 'enterprise'],
  region: ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'],
  flag_new_checkout: ['true', 'false'],
  experiment_variant: ['control', 'variant_a', 'variant_b'],
  browser: ['Chrome', 'Firefox', 'Safari', 'Edge', 'Samsung Internet', 'Opera'],
  'os.name': ['Windows', 'macOS', 'Linux', 'iOS', 'Android'],
  service: ['api', 'web', 'worker', 'billing', 'auth', 'search', 'notifications', 'gateway'],
  'http.method': ['GET', 'POST', 'PUT', 'DELETE'],
  customer_segment: ['smb', 'mid_market', 'enterprise', 'self_serve'],
  host: Array.from({ length: 40 }, (_, i) => `web-${String(i + 1).padStart(2, '0')}.prod.internal`),
} as const;
const TAG_KEYS = Object.keys(TAG_VALUES) as Array<keyof typeof TAG_VALUES>;

const ERROR_TYPES = ['TypeError', 'Error', 'RangeError', 'ReferenceError', 'SyntaxError', 'ValidationError', 'TimeoutError', 'FetchError'];
const VERBS = ['load', 'save', 'render', 'validate', 'charge', 'sync', 'parse', 'resolve', 'fetch', 'update'];
const NOUNS = ['Order', 'Cart', 'Invoice', 'User', 'Session', 'Report', 'Webhook', 'Coupon', 'Subscription', 'Profile'];
const APP_FILES = ['checkout.js', 'cart.js', 'billing.js', 'users.js', 'sessions.js', 'reports.js', 'webhooks.js', 'search.js'];
const LIBRARY_FRAMES: Array<[string, string]> = [
  ['node:internal/process/task_queues', 'process.processTicksAndRejections'],
  ['/app/node_modules/express/lib/router/layer.js', 'Layer.handle [as handle_request]'],
  ['/app/node_modules/express/lib/router/route.js', 'next'],
  ['/app/node_modules/express/lib/router/route.js', 'Route.dispatch'],
  ['/app/node_modules/express/lib/router/index.js', 'Function.process_params'],
  ['/app/node_modules/express/lib/router/index.js', 'next'],
  ['/app/node_modules/body-parser/lib/read.js', 'invokeCallback'],
  ['/app/node_modules/pg-pool/index.js', 'PendingItem.callback'],
  ['/app/node_modules/@opentelemetry/api/build/src/context.js', 'contextWrapper'],
  ['node:events', 'EventEmitter.emit'],
];
const RELEASES = Array.from({ length: 12 }, (_, i) => `web@2.${Math.floor(i / 4)}.${i % 4}`);
const CRUMB_MESSAGES = [
  'GET /api/cart 200', 'POST /api/checkout 500', 'Fetching user profile', 'Cache miss for key session:',
  'Retrying request (attempt 2)', 'Feature flag evaluated', 'SELECT * FROM orders WHERE id = $1', 'Rendered template',
];

/** The issue-defining parts: exception and the three frames nearest the throw. */
export function issueShape(issue: number) {
  const random = rng(issue * 7919 + 13);
  const verb = pick(random, VERBS);
  const noun = pick(random, NOUNS);
  const file = pick(random, APP_FILES);
  return {
    type: pick(random, ERROR_TYPES),
    value: `Cannot ${verb} ${noun.toLowerCase()} ${issue}: ${pick(random, ['undefined is not an object', 'request timed out', 'value out of range', 'missing field "id"', 'connection reset'])}`,
    top: [
      { file: `/app/src/${file}`, fn: `${verb}${noun}${issue}`, inApp: true },
      { file: `/app/src/services/${noun.toLowerCase()}-service.js`, fn: `${noun}Service.${verb}`, inApp: true },
      random() < 0.3
        ? { file: '/app/node_modules/pg/lib/client.js', fn: `Client.query${issue % 7}`, inApp: false }
        : { file: `/app/src/routes/${noun.toLowerCase()}s.js`, fn: `handle${noun}Route${issue % 50}`, inApp: true },
    ],
  };
}

const codeLine = (random: () => number) =>
  pick(random, [
    '  const result = await db.query(sql, params);',
    '  if (!order.items.length) throw new ValidationError("empty cart");',
    '  return items.map((item) => item.price * item.quantity).reduce(sum, 0);',
    '  logger.info({ userId: user.id }, "processing request");',
    '  const response = await fetch(`${baseUrl}/v1/charges`, { method: "POST", body });',
    '  span.setAttribute("order.total", total);',
    '}',
    '  await cache.set(key, JSON.stringify(value), { ttl: 300 });',
  ]);

function frame(random: () => number, file: string, fn: string, inApp: boolean, context = false) {
  const lineno = 10 + Math.floor(random() * 400);
  const base: Record<string, unknown> = {
    filename: file,
    function: fn,
    lineno,
    colno: 3 + Math.floor(random() * 60),
    in_app: inApp,
  };
  if (context) {
    base.pre_context = [codeLine(random), codeLine(random)];
    base.context_line = codeLine(random);
    base.post_context = [codeLine(random), codeLine(random)];
  }
  return base;
}

export interface EventOptions {
  issue: number;
  /** Seconds since the epoch, as Sentry SDKs send it. */
  timestamp: number;
  /** Per-event randomness; the same seed gives the same event. */
  seed: number;
  /** Lighter body (no context lines, 5 breadcrumbs, ~3.5 KB) for the query data set, which builds faster. */
  light?: boolean;
}

/** Tag choice skewed per issue, so distributions and correlations differ between issues. */
function tagValue(random: () => number, issue: number, key: keyof typeof TAG_VALUES): string {
  const values = TAG_VALUES[key];
  const favourite = (issue * 31 + key.length * 17) % values.length;
  return random() < 0.35 ? values[favourite]! : pick(random, values);
}

export function makeEvent({ issue, timestamp, seed, light = false }: EventOptions): Record<string, unknown> {
  const random = rng(seed);
  const shape = issueShape(issue);
  const frames: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 15 - shape.top.length; i++) {
    if (i % 3 === 2) frames.push(frame(random, `/app/src/middleware/${pick(random, ['auth', 'tracing', 'session', 'errors'])}.js`, pick(random, ['authenticate', 'withSpan', 'loadSession', 'wrap']), true));
    else {
      const [file, fn] = pick(random, LIBRARY_FRAMES);
      frames.push(frame(random, file, fn, false));
    }
  }
  for (let i = shape.top.length - 1; i >= 0; i--) frames.push(frame(random, shape.top[i]!.file, shape.top[i]!.fn, shape.top[i]!.inApp, shape.top[i]!.inApp && !light));

  const tags: Record<string, string> = {};
  for (const key of TAG_KEYS) tags[key] = tagValue(random, issue, key);

  const crumbs = light ? 5 : 20;
  const breadcrumbs = Array.from({ length: crumbs }, (_, i) => {
    const http = random() < 0.25;
    return {
      timestamp: Math.round((timestamp - (crumbs - i) * 0.35) * 1000) / 1000,
      ...(http ? { type: 'http', category: 'http' } : { category: 'console', level: random() < 0.1 ? 'warning' : 'info' }),
      ...(http
        ? { data: { method: pick(random, ['GET', 'POST']), url: `/v1/${pick(random, NOUNS).toLowerCase()}s/${Math.floor(random() * 10000)}`, status_code: pick(random, [200, 200, 201, 404, 500]) } }
        : { message: pick(random, CRUMB_MESSAGES) + Math.floor(random() * 1000) }),
    };
  });

  const userNumber = Math.floor(random() * 5000);
  return {
    event_id: hex(random, 32),
    timestamp,
    platform: 'node',
    level: 'error',
    server_name: tags.host,
    release: pick(random, RELEASES),
    environment: random() < 0.85 ? 'production' : 'staging',
    exception: {
      values: [
        {
          type: shape.type,
          value: shape.value,
          mechanism: { type: random() < 0.7 ? 'onuncaughtexception' : 'generic', handled: random() < 0.5 },
          stacktrace: { frames },
        },
      ],
    },
    breadcrumbs,
    tags,
    user: { id: `user-${userNumber}`, email: `user${userNumber}@example.com`, ip_address: `10.${userNumber % 250}.${(userNumber >> 3) % 250}.7` },
    contexts: {
      trace: { trace_id: hex(random, 32), span_id: hex(random, 16), op: 'http.server', status: 'internal_error' },
      runtime: { name: 'node', version: 'v20.19.2' },
      os: { kernel_version: '6.8.0-1017-aws', name: 'Linux', version: '6.8.0' },
    },
    sdk: {
      name: 'sentry.javascript.node',
      version: '10.22.0',
      integrations: ['InboundFilters', 'FunctionToString', 'LinkedErrors', 'RequestData', 'Console', 'Http', 'OnUncaughtException', 'OnUnhandledRejection', 'ContextLines', 'LocalVariables', 'Context', 'Modules'],
      packages: [{ name: 'npm:@sentry/node', version: '10.22.0' }],
    },
  };
}

/** A gzipped envelope with one event item, as the official clients send it. */
export function envelope(event: Record<string, unknown>, dsn: string): Buffer {
  const payload = Buffer.from(JSON.stringify(event));
  const header = JSON.stringify({ event_id: event.event_id, sent_at: new Date().toISOString(), dsn, sdk: { name: 'sentry.javascript.node', version: '10.22.0' } });
  const item = JSON.stringify({ type: 'event', length: payload.length });
  return gzipSync(Buffer.concat([Buffer.from(`${header}\n${item}\n`), payload, Buffer.from('\n')]));
}

/** Zipf-like issue popularity: a few issues get most events, as in real projects. */
export function issueSampler(issues: number, exponent = 1.1): (random: () => number) => number {
  const cumulative = new Float64Array(issues);
  let total = 0;
  for (let i = 0; i < issues; i++) cumulative[i] = total += 1 / Math.pow(i + 1, exponent);
  return (random) => {
    const target = random() * total;
    let lo = 0;
    let hi = issues - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}
