/**
 * The ReleaseStore contract, written against the Store interface only, so every backend runs the
 * same cases: `releaseStoreContract(name, openStore)` registers them with node:test.
 * store/contract-releases.test.ts calls it for every backend of contract.fixtures.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { digestEvent } from '../../digest/digest.js';
import type { Store } from '../types.js';

export function releaseStoreContract(name: string, open: () => Promise<{ store: Store; close: () => Promise<void> }>): void {
  describe(`ReleaseStore contract (${name})`, () => {
    let store: Store;
    let close: () => Promise<void>;
    let projectId: number;
    let otherProjectId: number;
    let n = 0;
    const event = (type: string, release: string | null, user: string) =>
      digestEvent(
        {
          event_id: (++n).toString(16).padStart(32, '0'),
          release: release ?? undefined,
          user: { id: user },
          exception: { values: [{ type, value: 'x', stacktrace: { frames: [{ function: 'f', filename: 'f.js' }] } }] },
        },
        projectId,
        { receivedMs: Date.now() },
      );

    before(async () => {
      ({ store, close } = await open());
      projectId = (await store.createProject({ name: 'Releases' })).id;
      otherProjectId = (await store.createProject({ name: 'Other' })).id;
    });
    after(() => close());

    test('ensureRelease creates once and returns the same id; ids grow in creation order', async () => {
      const a = await store.ensureRelease(projectId, 'c@1', Date.now());
      assert.equal(await store.ensureRelease(projectId, 'c@1', Date.now()), a);
      const b = await store.ensureRelease(projectId, 'c@2', Date.now());
      assert.ok(b > a);
      assert.equal(await store.getRelease(otherProjectId, 'c@1'), undefined);
    });

    test('upsertRelease updates only the given fields; summaries count events, users and new issues', async () => {
      await store.upsertRelease(projectId, { version: 's@1', commitSha: 'abcdef1' });
      await store.upsertRelease(projectId, { version: 's@1', dateReleased: Date.UTC(2026, 0, 1) });
      await store.write([event('SumError', 's@1', 'u1'), event('SumError', 's@1', 'u2'), event('OtherError', 's@1', 'u1')], []);
      const release = (await store.getRelease(projectId, 's@1'))!;
      assert.equal(release.commitSha, 'abcdef1');
      assert.equal(release.dateReleased, '2026-01-01T00:00:00.000Z');
      assert.deepEqual([release.eventCount, release.users, release.newIssues], [3, 2, 2]);
      assert.equal((await store.releaseNewIssueIds(projectId, 's@1', 10)).length, 2);
      assert.deepEqual((await store.listReleases(projectId, 10, 's@')).map((r) => r.version), ['s@1']);
    });

    test('deploys belong to a release; an unknown release has none', async () => {
      await store.upsertRelease(projectId, { version: 'd@1' });
      await store.addDeploy(projectId, 'd@1', { environment: 'production', name: 'eu' });
      assert.deepEqual((await store.listDeploys(projectId, 'd@1'))!.map((d) => [d.environment, d.name]), [['production', 'eu']]);
      assert.equal(await store.addDeploy(projectId, 'nope', { environment: 'x' }), undefined);
      assert.equal(await store.listDeploys(projectId, 'nope'), undefined);
    });

    test('an event of the resolved release or without one leaves a release-resolved issue resolved; a later one reopens it', async () => {
      await store.ensureRelease(projectId, 'w@1', Date.now());
      const [outcome] = await store.write([event('WriterError', 'w@1', 'u1')], []);
      const issueId = outcome!.issueId;
      await store.resolveIssueInRelease(issueId, { kind: 'release', version: 'w@1' });
      // The event writer itself must not reopen it: only reopenRegressions decides, by release.
      await store.write([event('WriterError', 'w@1', 'u2'), event('WriterError', null, 'u3')], []);
      assert.equal((await store.getIssue(issueId))!.status, 'resolved');
      assert.deepEqual(await store.issueResolution(issueId), { kind: 'release', version: 'w@1' });
      const later = await store.ensureRelease(projectId, 'w@2', Date.now());
      await store.write([event('WriterError', 'w@2', 'u4')], []);
      assert.deepEqual(await store.reopenRegressions([{ issueId, releaseId: later }]), [issueId]);
      assert.deepEqual([(await store.getIssue(issueId))!.status, (await store.getIssue(issueId))!.isRegressed], ['unresolved', true]);
      // A plain resolution is reopened by the next event, of any release.
      await store.setIssueStatus(issueId, 'resolved');
      await store.write([event('WriterError', 'w@1', 'u5')], []);
      assert.equal((await store.getIssue(issueId))!.status, 'unresolved');
    });

    test('resolution by release: only a later release reopens, and a plain status change clears it', async () => {
      const first = await store.ensureRelease(projectId, 'r@1', Date.now());
      const [outcome] = await store.write([event('ResolveError', 'r@1', 'u1')], []);
      const issueId = outcome!.issueId;
      assert.deepEqual(await store.resolveIssueInRelease(issueId, { kind: 'next_release' }), { kind: 'next_release', version: 'r@1' });
      assert.equal((await store.releaseResolvedIssues()).get(issueId), first);
      assert.deepEqual(await store.reopenRegressions([{ issueId, releaseId: first }, { issueId, releaseId: null }]), []);
      const later = await store.ensureRelease(projectId, 'r@2', Date.now());
      assert.deepEqual(await store.reopenRegressions([{ issueId, releaseId: later }]), [issueId]);
      const issue = (await store.getIssue(issueId))!;
      assert.deepEqual([issue.status, issue.isRegressed], ['unresolved', true]);
      assert.equal(await store.issueResolution(issueId), null);
      await store.resolveIssueInRelease(issueId, { kind: 'release', version: 'r@2' });
      await store.setIssueStatus(issueId, 'resolved');
      assert.equal(await store.issueResolution(issueId), null);
      assert.equal((await store.releaseResolvedIssues()).has(issueId), false);
      assert.equal(await store.resolveIssueInRelease(issueId, { kind: 'release', version: 'missing' }), undefined);
    });

    test('chunks: missing ones are named, stored ones read back in order, deleted ones gone', async () => {
      const a = { checksum: 'a'.repeat(40), data: new Uint8Array([1, 2]) };
      const b = { checksum: 'b'.repeat(40), data: new Uint8Array([3]) };
      await store.putChunks([a]);
      assert.deepEqual(await store.missingChunks([a.checksum, b.checksum]), [b.checksum]);
      assert.equal(await store.readChunks([a.checksum, b.checksum]), undefined);
      await store.putChunks([b, a]);
      assert.deepEqual((await store.readChunks([b.checksum, a.checksum]))!.map((c) => [...c]), [[3], [1, 2]]);
      await store.deleteChunks([a.checksum]);
      assert.deepEqual(await store.missingChunks([a.checksum]), [a.checksum]);
    });

    test('bundles: deduplicated by checksum per project, found by debug ID or release URL, oldest evicted past the bound', async () => {
      const file = (url: string, type: string, debugId: string | null) => ({ url, type, debugId, sourcemapUrl: null, content: new TextEncoder().encode(url) });
      const input = { projectId, checksum: '1'.repeat(40), release: 'b@1', dist: null, size: 100, files: [file('~/a.js.map', 'source_map', '11111111-1111-1111-1111-111111111111'), file('~/a.js', 'minified_source', null)] };
      const saved = await store.saveBundle(input, 1000);
      assert.equal((await store.saveBundle(input, 1000)).id, saved.id);
      assert.equal((await store.listBundles(projectId, 10)).filter((b) => b.checksum === input.checksum).length, 1);
      assert.equal((await store.artifactByDebugId(projectId, '11111111-1111-1111-1111-111111111111', 'source_map'))!.url, '~/a.js.map');
      assert.equal(await store.artifactByDebugId(otherProjectId, '11111111-1111-1111-1111-111111111111', 'source_map'), undefined);
      assert.equal((await store.artifactByUrl(projectId, 'b@1', null, ['~/x.js', '~/a.js']))!.type, 'minified_source');
      assert.equal(await store.artifactByUrl(projectId, 'b@1', 'dist-2', ['~/a.js']), undefined);
      assert.ok((await store.projectsWithArtifacts()).has(projectId));
      assert.equal((await store.listReleaseFiles(projectId, 'b@1')).length, 2);
      await store.saveBundle({ ...input, checksum: '2'.repeat(40), size: 950, files: [] }, 1000);
      assert.equal(await store.findBundle(projectId, input.checksum), undefined, 'the older bundle is dropped past 1000 bytes');
      assert.equal(await store.artifactByDebugId(projectId, '11111111-1111-1111-1111-111111111111', 'source_map'), undefined);
    });
  });
}
