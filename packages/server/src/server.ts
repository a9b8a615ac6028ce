import type { FastifyInstance } from 'fastify';
import { AlertEngine } from './alerts/engine.js';
import { appMetrics, buildApp } from './app.js';
import { dsnFor, type ServerConfig } from './config.js';
import { hashSecret, newSecret } from './accounts/secrets.js';
import { RetentionService } from './lifecycle/retention.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/types.js';

export interface StartedServer {
  app: FastifyInstance;
  store: Store;
  url: string;
  port: number;
  defaultProject: { id: number; publicKey: string; dsn: string };
  /** Set only when this start created the data directory's first admin token. */
  adminToken?: string;
  /** While no user exists: a one-time link that creates the owner (each start replaces the previous one). */
  setupUrl?: string;
  /** The background retention pass; tests and the CLI can run one now (runOnce). */
  retention: RetentionService;
  close(): Promise<void>;
}

/**
 * First start of a data directory: a default project and an admin token to reach the API. Under
 * the store's shared lock, so servers starting together on one PostgreSQL make exactly one of each.
 */
function firstRun(store: Store) {
  return store.exclusively('first-run', () => createDefaults(store));
}

async function createDefaults(store: Store) {
  let projects = await store.listProjects();
  let adminToken: string | undefined;
  if (projects.length === 0) {
    await store.createProject({ name: 'Default', slug: 'default' });
    adminToken = (await store.createToken({ name: 'admin (created on first start)' })).token;
    projects = await store.listProjects();
  }
  return { project: projects[0]!, adminToken };
}

export const SETUP_LINK_TTL_MS = 24 * 3_600_000;

/**
 * No user yet: a one-time link to create the owner, valid 24 hours. The secret is in the URL's
 * fragment, which browsers never send to a server, so it stays out of access logs and Referer.
 */
function ownerSetupLink(store: Store, base: string): Promise<string | undefined> {
  // Locked: two starts at once would each delete the other's link before adding their own, leaving two.
  return store.exclusively('owner-setup', () => replaceSetupLink(store, base));
}

async function replaceSetupLink(store: Store, base: string): Promise<string | undefined> {
  if ((await store.countUsers()) > 0) return undefined;
  await store.deleteOneTimeLinks('setup');
  const secret = newSecret();
  await store.createOneTimeLink({ purpose: 'setup', tokenHash: hashSecret(secret), expiresAt: Date.now() + SETUP_LINK_TTL_MS });
  return `${base.replace(/\/$/, '')}/setup-owner#token=${secret}`;
}

/** The composition root: opens the configured store, builds the app on it, listens. */
export async function startServer(config: ServerConfig): Promise<StartedServer> {
  const store = await openStore(config);
  let app: FastifyInstance;
  let firstStart: Awaited<ReturnType<typeof firstRun>>;
  try {
    firstStart = await firstRun(store);
    app = buildApp(config, store);
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await store.close();
    throw error;
  }
  const { project, adminToken } = firstStart;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${port}`;
  const base = config.publicUrl ?? url;
  const alerts = new AlertEngine(store, {
    publicUrl: base,
    intervalMs: config.alertIntervalMs,
    allowPrivate: config.outboundAllowPrivate ?? false,
    smtpUrl: config.smtpUrl,
    emailFrom: config.emailFrom,
    log: (error, what) => app.log.error({ err: error }, `${what} failed`),
    onAttempt: (channel, ok) => appMetrics(app)?.deliveries.inc({ channel, result: ok ? 'delivered' : 'failed' }),
  });
  alerts.start();
  const retention = new RetentionService(store, config.retention, (error, what) => app.log.error({ err: error }, `${what} failed`));
  retention.start();
  const setupUrl = await ownerSetupLink(store, base);
  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    url,
    port,
    adminToken,
    setupUrl,
    retention,
    defaultProject: { id: project.id, publicKey: project.publicKey, dsn: dsnFor(base, project.publicKey, project.id) },
    close() {
      closing ??= (async () => {
        // Fastify's close() waits out keepAliveTimeout (72 s) for a keep-alive connection that was
        // serving a request when shutdown began (fastify#7044): close each one once it is idle.
        const closeIdle = setInterval(() => app.server.closeIdleConnections(), 50);
        try {
          await app.close();
        } finally {
          clearInterval(closeIdle);
        }
        await alerts.stop();
        await retention.stop();
        await store.close();
      })();
      return closing;
    },
  };
}
