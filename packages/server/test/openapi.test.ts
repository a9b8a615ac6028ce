import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { buildApp, registeredRoutes } from '../src/app.js';
import { readConfig } from '../src/config.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import type { Issue } from '../src/api/contract/index.js';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';

// The dashboard's own pages and the document itself are the only routes kept out of the document.
const HIDDEN = new Set(['GET /*', 'GET /api/0/openapi.json']);

let dataDir: string;
let store: SqliteStore;
let app: FastifyInstance;
let server: RunningServer;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'proliferate-openapi-'));
  store = new SqliteStore({ dataDir });
  app = buildApp(readConfig({ host: '127.0.0.1', port: '0', 'data-dir': dataDir }, {}), store);
  await app.ready();
  server = await startServer();
});
after(async () => {
  await app.close();
  await store.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const methodsOf = (method: string | string[]) => (Array.isArray(method) ? method : [method]).filter((m) => m !== 'HEAD');
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

test('every route has a schema, and every route but the dashboard pages is in the OpenAPI document', async () => {
  const doc = (await (await fetch(`${server.url}/api/0/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const routes = registeredRoutes(app).flatMap((route) => methodsOf(route.method).map((method) => ({ method, url: route.url, schema: route.schema })));
  assert.ok(routes.length >= 35, `expected the whole API, found ${routes.length} routes`);
  for (const route of routes) {
    const name = `${route.method} ${route.url}`;
    assert.ok(route.schema, `${name} has no schema`);
    if ((route.schema as { hide?: boolean }).hide) {
      assert.ok(HIDDEN.has(name), `${name} is hidden from the OpenAPI document`);
      continue;
    }
    assert.ok(doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()], `${name} is missing from the OpenAPI document`);
  }
});

test('the OpenAPI document served at /api/0/openapi.json is valid OpenAPI 3.1', async () => {
  const response = await fetch(`${server.url}/api/0/openapi.json`);
  assert.equal(response.status, 200);
  const doc = await response.json();
  const result = await new Validator().validate(doc);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  assert.equal((doc as { openapi: string }).openapi, '3.1.0');
});

test('input the schema refuses is a 400 in our error shape that names the field', async () => {
  const issues = await server.api<Issue[]>(`/api/0/projects/${server.projectId}/issues/`);
  assert.equal(issues.status, 200);

  const badLimit = await server.api(`/api/0/projects/${server.projectId}/issues/?limit=0`);
  assert.equal(badLimit.status, 400);
  assert.equal(badLimit.body.error.code, 'invalid_parameter');
  assert.equal(badLimit.body.error.field, 'limit');
  assert.match(badLimit.body.error.message, /query parameter "limit" must be >= 1/);

  const badSort = await server.api(`/api/0/projects/${server.projectId}/issues/?sort=loudest`);
  assert.equal(badSort.status, 400);
  assert.match(badSort.body.error.message, /"sort" must be equal to one of the allowed values: date, new, freq, users/);

  const badStatus = await server.api(`/api/0/projects/${server.projectId}/issues/?id=1`, { method: 'PUT', body: { status: 'done' } });
  assert.equal(badStatus.status, 400);
  assert.deepEqual([badStatus.body.error.code, badStatus.body.error.field], ['invalid_body', 'status']);

  const missingName = await server.api('/api/0/projects/', { method: 'POST', body: { slug: 'web' } });
  assert.equal(missingName.status, 400);
  assert.equal(missingName.body.error.field, 'name');
  assert.match(missingName.body.error.message, /"name" is required in the body/);

  const badId = await server.api('/api/0/projects/abc/');
  assert.equal(badId.status, 400);
  assert.equal(badId.body.error.field, 'projectId');
});

test('a body the schema marks optional may be left out: a new key without a label is called Default', async () => {
  const response = await fetch(`${server.url}/api/0/projects/${server.projectId}/keys/`, { method: 'POST', headers: { authorization: `Bearer ${server.adminToken}` } });
  assert.equal(response.status, 201);
  assert.equal(((await response.json()) as { label: string }).label, 'Default');
  const empty = await server.api(`/api/0/projects/${server.projectId}/keys/`, { method: 'POST', body: { label: '' } });
  assert.equal(empty.status, 400);
  assert.equal(empty.body.error.field, 'label');
});
