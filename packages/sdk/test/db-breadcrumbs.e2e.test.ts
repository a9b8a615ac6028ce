/**
 * Database breadcrumbs in Node (seed 002): real better-sqlite3 statements and real pg queries
 * against the local PostgreSQL (role and database proliferate_test, made by
 * scripts/setup-python.sh, or PROLIFERATE_TEST_PG; skipped when unreachable). The modules are found
 * by the integration itself, as in an application; the event stored by the real server carries the
 * statements, without their parameters.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';
import * as Proliferate from '../src/node/index.js';
import { issueEvents, issueWithCount } from './e2e-helpers.js';

const require = createRequire(import.meta.url);
const PG_URL = process.env.PROLIFERATE_TEST_PG ?? 'postgresql://proliferate_test:proliferate_test@127.0.0.1:5432/proliferate_test';
let server: RunningServer;

before(async () => {
  server = await startServer();
  Proliferate.init({ dsn: server.dsn, transportOptions: { retryBaseDelay: 50 } });
});
after(async () => {
  await Proliferate.close(2000);
  await server?.stop();
});

async function queryCrumbs(title: string) {
  assert.equal(await Proliferate.flush(5000), true);
  const issue = await issueWithCount(server, title, 1);
  const [event] = await issueEvents(server, issue.id);
  return event!.breadcrumbs.filter((c) => c.category === 'query') as Array<{ type: string; level: string; message: string; data: Record<string, unknown> }>;
}

test('better-sqlite3: prepared statements and exec are query breadcrumbs, failures at level error, no parameters', async () => {
  const Database = require('better-sqlite3') as new (file: string) => {
    exec(sql: string): void;
    prepare(sql: string): { run(...a: unknown[]): unknown; get(...a: unknown[]): unknown; all(...a: unknown[]): unknown[] };
    close(): void;
  };
  await Proliferate.withIsolationScope(async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE users (id INTEGER, email TEXT)');
    db.prepare('INSERT INTO users VALUES (?, ?)').run(1, 'alice@example.com');
    assert.deepEqual(db.prepare('SELECT email\n    FROM users WHERE id = ?').get(1), { email: 'alice@example.com' });
    assert.throws(() => db.prepare('SELECT * FROM missing_table'), /no such table/);
    assert.throws(() => db.prepare('INSERT INTO users VALUES (?, ?)').run(1), /Too few parameter/i);
    db.close();
    Proliferate.captureException(new Error('after sqlite'));
  });
  const crumbs = await queryCrumbs('after sqlite');
  assert.deepEqual(
    crumbs.map((c) => [c.type, c.message, c.level, c.data['db.system']]),
    [
      ['query', 'CREATE TABLE users (id INTEGER, email TEXT)', 'info', 'sqlite'],
      ['query', 'INSERT INTO users VALUES (?, ?)', 'info', 'sqlite'],
      ['query', 'SELECT email FROM users WHERE id = ?', 'info', 'sqlite'],
      ['query', 'SELECT * FROM missing_table', 'error', 'sqlite'],
      ['query', 'INSERT INTO users VALUES (?, ?)', 'error', 'sqlite'],
    ],
  );
  assert.ok(!JSON.stringify(crumbs).includes('alice@example.com'));
});

test('pg: promise and callback queries are query breadcrumbs, failures at level error, no parameters', async (t) => {
  const { Client } = require('pg') as typeof import('pg');
  const client = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    t.skip(`PostgreSQL not reachable at ${PG_URL}: ${(error as Error).message}`);
    return;
  }
  await Proliferate.withIsolationScope(async () => {
    assert.deepEqual((await client.query('SELECT $1::text AS email', ['alice@example.com'])).rows, [{ email: 'alice@example.com' }]);
    await assert.rejects(client.query({ text: 'SELECT * FROM proliferate_missing_table' }), /does not exist/);
    await new Promise<void>((resolve, reject) => client.query('SELECT 1 AS one', (error) => (error ? reject(error) : resolve())));
    Proliferate.captureException(new Error('after pg'));
  });
  await client.end();
  const crumbs = await queryCrumbs('after pg');
  assert.deepEqual(
    crumbs.map((c) => [c.message, c.level, c.data['db.system']]),
    [
      ['SELECT $1::text AS email', 'info', 'postgresql'],
      ['SELECT * FROM proliferate_missing_table', 'error', 'postgresql'],
      ['SELECT 1 AS one', 'info', 'postgresql'],
    ],
  );
  assert.ok(!JSON.stringify(crumbs).includes('alice@example.com'));
});
