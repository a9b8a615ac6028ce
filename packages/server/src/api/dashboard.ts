/**
 * Serves the dashboard's built files (packages/dashboard/dist) at `/`. Every GET that is not an API
 * path and not a file answers index.html, so the app's own URLs (/issues/12/) work on reload and
 * as links. Event data shown by the dashboard is written by whoever can reach ingest, so the
 * responses carry a Content-Security-Policy that allows only same-origin scripts and styles.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';

export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The replay player's page (/replay-frame/, shown in an iframe of the dashboard): a replayed page
 * brings its own <style> elements and style attributes, which rrweb rebuilds inline, so this one
 * document allows inline styles. Scripts stay same-origin only; rrweb's replay iframe is sandboxed
 * without scripts, and images load only from here or data: URLs, so CSS cannot call out.
 */
export const REPLAY_FRAME_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "object-src 'none'",
  "frame-ancestors 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const isReplayFrame = (url: string) => url === '/replay-frame/' || url.startsWith('/replay-frame/?');

const NOT_BUILT = `The Proliferate dashboard is not built yet.

Run "npm run build" in the repository (or "npm run build -w packages/dashboard"), then reload.
The API is available under /api/ meanwhile.
`;

export interface DashboardOptions {
  /** Folder with index.html and assets/ (config: PROLIFERATE_DASHBOARD_DIR); defaults to packages/dashboard/dist. */
  root?: string;
}

export async function dashboardRoutes(app: FastifyInstance, options: DashboardOptions = {}) {
  const root = options.root ?? fileURLToPath(new URL('../../../dashboard/dist/', import.meta.url));
  // Checked per request until found, so a build made after start is picked up without a restart.
  let built = false;
  const isBuilt = () => (built ||= existsSync(join(root, 'index.html')));

  if (existsSync(root)) await app.register(fastifyStatic, { root, serve: false });
  else await app.register(fastifyStatic, { root: process.cwd(), serve: false });

  app.addHook('onSend', async (request, reply) => {
    const frame = isReplayFrame(request.url);
    reply.header('content-security-policy', frame ? REPLAY_FRAME_CSP : DASHBOARD_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', frame ? 'SAMEORIGIN' : 'DENY');
  });

  // The app's pages and files: not part of the API, so hidden from the OpenAPI document.
  app.get<{ Params: { '*': string } }>('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.params['*'];
    if (path === 'api' || path.startsWith('api/')) {
      throw new HttpError(404, 'not_found', `No route for GET /${path.split('?')[0]}`);
    }
    if (!isBuilt()) return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    // Vite names assets by content hash, so they never change under the same name.
    if (path.startsWith('assets/')) return reply.sendFile(path, root, { maxAge: '365d', immutable: true });
    if (/\.[a-z0-9]+$/i.test(path)) return reply.sendFile(path, root, { maxAge: '1h' });
    reply.header('cache-control', 'no-cache');
    if (path === 'replay-frame/' && existsSync(join(root, 'replay.html'))) return reply.sendFile('replay.html', root, { cacheControl: false });
    return reply.sendFile('index.html', root, { cacheControl: false });
  });
}

export default dashboardRoutes;
