/**
 * Releases and regressions by release against the real server: releases created by events and by
 * the API, their figures, and "resolve in next release" / "resolve in release X" across three
 * releases (an event of a later release reopens the issue as regressed; the same or an older
 * release, or no release, does not).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cliPath, startServer, type RunningServer } from '../../../tests/helpers/server.js';

const run = promisify(execFile);
// On PostgreSQL (PROLIFERATE_TEST_STORE=postgres) the CLI finds the server's database through storeEnv.
const cli = async (...args: string[]) => (await run(process.execPath, [cliPath, ...args, '--data-dir', server.dataDir], { env: { ...process.env, ...server.storeEnv } })).stdout;

let server: RunningServer;

async function send(type: string, release: string | null, user = 'u1'): Promise<string> {
  const id = randomUUID().replace(/-/g, '');
  const event = {
    event_id: id,
    ...(release ? { release } : {}),
    user: { id: user },
    exception: { values: [{ type, value: 'failed', stacktrace: { frames: [{ function: 'run', filename: 'job.js' }] } }] },
  };
  const res = await fetch(`${server.url}/api/${server.projectId}/envelope/?sentry_key=${server.publicKey}`, {
    method: 'POST',
    body: `{}\n{"type":"event"}\n${JSON.stringify(event)}\n`,
  });
  assert.equal(res.status, 200);
  return id;
}

const project = () => `/api/0/projects/${server.projectId}`;
async function issueOf(type: string) {
  for (const query of [`error.type:${type}`, `is:resolved error.type:${type}`]) {
    const list = await server.api(`${project()}/issues/?query=${encodeURIComponent(query)}`);
    const found = (list.body as Array<{ id: number; title: string }>).find((i) => i.title.startsWith(type));
    if (found) return (await server.api(`/api/0/issues/${found.id}/`)).body;
  }
  assert.fail(`no issue for ${type}`);
}
const resolve = (issueId: number, statusDetails: unknown) => server.api(`/api/0/issues/${issueId}/`, { method: 'PUT', body: { status: 'resolved', statusDetails } });

before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

describe('releases', () => {
  test('the first event naming a release creates it; the API shows its events, users and new issues', async () => {
    await send('ReleaseCountError', 'count@1.0.0', 'a');
    await send('ReleaseCountError', 'count@1.0.0', 'b');
    const res = await server.api(`${project()}/releases/count@1.0.0/`);
    assert.equal(res.status, 200);
    assert.equal(res.body.version, 'count@1.0.0');
    assert.equal(res.body.eventCount, 2);
    assert.equal(res.body.userCount, 2);
    assert.equal(res.body.newGroups, 1);
    assert.ok(res.body.firstEvent && res.body.lastEvent);
  });

  test('POST creates a release with commit and repository; PUT finalizes; deploys are listed', async () => {
    const created = await server.api(`${project()}/releases/`, {
      body: { version: 'api@2.0.0', commit: 'a1b2c3d4e5f6', repository: 'https://github.com/acme/shop' },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.commitSha, 'a1b2c3d4e5f6');
    assert.equal(created.body.dateReleased, null);
    const finalized = await server.api(`${project()}/releases/api@2.0.0/`, { method: 'PUT', body: { finalize: true } });
    assert.ok(finalized.body.dateReleased);
    const deploy = await server.api(`${project()}/releases/api@2.0.0/deploys/`, { body: { environment: 'production', name: 'eu-1' } });
    assert.equal(deploy.status, 201);
    const release = await server.api(`${project()}/releases/api@2.0.0/`);
    assert.deepEqual(release.body.deploys.map((d: { environment: string; name: string }) => [d.environment, d.name]), [['production', 'eu-1']]);
    const found = await server.api(`${project()}/releases/?query=${encodeURIComponent('api@')}`);
    assert.deepEqual(found.body.map((r: { version: string }) => r.version), ['api@2.0.0']);
    // LIKE's wildcards in the search are literal characters.
    assert.deepEqual((await server.api(`${project()}/releases/?query=${encodeURIComponent('%')}`)).body, []);
  });

  test('bad release input gets a 4xx naming the field', async () => {
    const blank = await server.api(`${project()}/releases/`, { body: { version: '' } });
    assert.equal(blank.status, 400);
    assert.deepEqual([blank.body.error.code, blank.body.error.field], ['invalid_body', 'version']);
    const latest = await server.api(`${project()}/releases/`, { body: { version: 'latest' } });
    assert.equal(latest.status, 400);
    assert.deepEqual([latest.body.error.code, latest.body.error.field], ['invalid_version', 'version']);
    const badCommit = await server.api(`${project()}/releases/`, { body: { version: 'x@1', commit: 'not a sha' } });
    assert.equal(badCommit.status, 400);
    assert.match(badCommit.body.error.message, /commit/);
    const badUrl = await server.api(`${project()}/releases/`, { body: { version: 'x@1', url: 'javascript:alert(1)' } });
    assert.equal(badUrl.status, 400);
    assert.equal(badUrl.body.error.field, 'url');
    const noEnv = await server.api(`${project()}/releases/api@2.0.0/deploys/`, { body: {} });
    assert.equal(noEnv.status, 400);
    assert.equal(noEnv.body.error.field, 'environment');
    assert.match(noEnv.body.error.message, /"environment" is required in the body/);
    const badLimit = await server.api(`${project()}/releases/?limit=1000`);
    assert.equal(badLimit.status, 400);
    assert.equal(badLimit.body.error.field, 'limit');
    assert.equal((await server.api(`${project()}/releases/nope@0/`)).status, 404);
  });
});

describe('resolve in next release across three releases', () => {
  test('events of the current release do not reopen; an event of the next release reopens it as regressed', async () => {
    await send('NextReleaseError', 'shop@1.0.0');
    await send('NextReleaseError', 'shop@2.0.0');
    const issue = await issueOf('NextReleaseError');
    assert.equal(issue.firstRelease, 'shop@1.0.0');
    assert.equal(issue.lastRelease, 'shop@2.0.0');
    const resolved = await resolve(issue.id, { inNextRelease: true });
    assert.equal(resolved.status, 200);
    assert.equal(resolved.body.status, 'resolved');
    assert.deepEqual(resolved.body.statusDetails, { inNextRelease: true, afterRelease: 'shop@2.0.0' });

    // The fix ships in the next release: events of 2.0.0, 1.0.0 or none keep it resolved.
    await send('NextReleaseError', 'shop@2.0.0');
    await send('NextReleaseError', 'shop@1.0.0');
    await send('NextReleaseError', null);
    let now = await issueOf('NextReleaseError');
    assert.equal(now.status, 'resolved');
    assert.equal(now.isRegressed, false);
    assert.equal(now.count, 5);

    await send('NextReleaseError', 'shop@3.0.0');
    now = await issueOf('NextReleaseError');
    assert.equal(now.status, 'unresolved');
    assert.equal(now.isRegressed, true);
    assert.equal(now.lastRelease, 'shop@3.0.0');
    assert.deepEqual(now.statusDetails, {});
  });

  test('resolve in release X: an event of X or older does not reopen, a later one does', async () => {
    await send('InReleaseError', 'svc@1.0.0');
    const issue = await issueOf('InReleaseError');
    await server.api(`${project()}/releases/`, { body: { version: 'svc@2.0.0' } });
    await server.api(`${project()}/releases/`, { body: { version: 'svc@3.0.0' } });
    const resolved = await resolve(issue.id, { inRelease: 'svc@2.0.0' });
    assert.deepEqual(resolved.body.statusDetails, { inRelease: 'svc@2.0.0' });
    await send('InReleaseError', 'svc@2.0.0');
    await send('InReleaseError', 'svc@1.0.0');
    assert.equal((await issueOf('InReleaseError')).status, 'resolved');
    await send('InReleaseError', 'svc@3.0.0');
    const now = await issueOf('InReleaseError');
    assert.equal(now.status, 'unresolved');
    assert.equal(now.isRegressed, true);
  });

  test('a plain resolve still reopens on any new event, and replaces a resolution by release', async () => {
    await send('PlainError', 'plain@1.0.0');
    const issue = await issueOf('PlainError');
    await resolve(issue.id, { inNextRelease: true });
    const plain = await server.api(`/api/0/issues/${issue.id}/`, { method: 'PUT', body: { status: 'resolved' } });
    assert.equal(plain.body.status, 'resolved');
    assert.deepEqual((await server.api(`/api/0/issues/${issue.id}/`)).body.statusDetails, {});
    await send('PlainError', 'plain@1.0.0');
    const now = await issueOf('PlainError');
    assert.equal(now.status, 'unresolved');
    assert.equal(now.isRegressed, true);
  });

  test('resolving in an unknown release is a 404; a malformed statusDetails a 400', async () => {
    await send('UnknownReleaseError', 'u@1');
    const issue = await issueOf('UnknownReleaseError');
    const missing = await resolve(issue.id, { inRelease: 'u@9' });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'release_not_found');
    const bad = await resolve(issue.id, 'soon');
    assert.equal(bad.status, 400);
  });

  test('the CLI resolves in next release; the running server picks it up and reopens on a later release', async () => {
    await send('CliError', 'cli@1.0.0');
    const issue = await issueOf('CliError');
    const out = JSON.parse(await cli('issue', 'resolve', String(issue.id), '--in-next-release'));
    assert.deepEqual(out.resolution, { kind: 'next_release', version: 'cli@1.0.0' });
    // The server re-reads resolutions made by other processes every 3 s (ingest/release-tracker.ts).
    await new Promise((r) => setTimeout(r, 3500));
    await send('CliError', 'cli@1.0.0');
    assert.equal((await issueOf('CliError')).status, 'resolved');
    await send('CliError', 'cli@1.1.0');
    const now = await issueOf('CliError');
    assert.equal(now.status, 'unresolved');
    assert.equal(now.isRegressed, true);
  });
});

describe('proliferate release (CLI)', () => {
  test('create with commit, finalize, deploy and list', async () => {
    const created = JSON.parse(await cli('release', 'create', 'cli-made@1', '--project', server.projectId, '--commit', 'abc1234'));
    assert.equal(created.commitSha, 'abc1234');
    const finalized = JSON.parse(await cli('release', 'finalize', 'cli-made@1', '--project', server.projectId));
    assert.ok(finalized.dateReleased);
    await cli('release', 'deploy', 'cli-made@1', '--project', server.projectId, '--environment', 'staging');
    const list = JSON.parse(await cli('release', 'list', '--project', server.projectId));
    const mine = list.find((r: { version: string }) => r.version === 'cli-made@1');
    assert.deepEqual(mine.deploys.map((d: { environment: string }) => d.environment), ['staging']);
    await assert.rejects(cli('release', 'finalize', 'nope@1', '--project', server.projectId), /does not exist/);
  });
});
