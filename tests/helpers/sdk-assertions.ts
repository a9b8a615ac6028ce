/**
 * Assertions that hold alike for every official SDK's e2e scenario (Node and Python run the same
 * scenarios with their own names), so each test states only what differs between the SDKs.
 */
import assert from 'node:assert/strict';
import { percentages, type TagDistribution } from './official-clients.ts';

/** Non-string tags became strings, the two invalid ones were dropped and recorded, and the SDK fingerprint's source is kept. */
export function assertOddTags(event: any, expectedGroupingSource: string): void {
  assert.equal(event.tags.retries, '3');
  assert.equal(event.tags.beta, 'true');
  assert.equal(event.tags['bad key with spaces'], undefined);
  assert.equal(event.tags.multiline, undefined);
  const dropped = event.processingErrors.filter((e: any) => e.type === 'invalid_tag').map((e: any) => e.key).sort();
  assert.deepEqual(dropped, ['bad key with spaces', 'multiline']);
  assert.equal(event.grouping.source, expectedGroupingSource);
}

/** The 100 `query` breadcrumbs of the large-event scenario arrived whole, the last one intact. */
export function assertHundredQueryBreadcrumbs(event: any): void {
  const queries = event.breadcrumbs.filter((b: any) => b.category === 'query');
  assert.equal(queries.length, 100);
  assert.equal(queries[99].message, `SELECT 99 ${'x'.repeat(400)}`);
}

/**
 * The scope scenario: `tier` was set per capture on the payment issue (2 enterprise, 1 free), `region`
 * on the profile issue (2 eu, 3 us), each in a scope of its own (`scopeApi` names it for messages),
 * and the tags in `everywhere` on every event.
 */
export function assertScopedTagPercentages(
  paymentTags: TagDistribution[],
  profileTags: TagDistribution[],
  everywhere: Record<string, string>,
  scopeApi: string,
): void {
  assert.deepEqual(percentages(paymentTags, 'tier'), { enterprise: 66.67, free: 33.33 });
  assert.deepEqual(percentages(profileTags, 'region'), { eu: 40, us: 60 });
  assert.equal(percentages(paymentTags, 'region'), undefined, `${scopeApi} tags stay with their captures`);
  assert.equal(percentages(profileTags, 'tier'), undefined, 'isolation scope tags end with their scope');
  for (const tags of [paymentTags, profileTags]) {
    for (const [key, value] of Object.entries(everywhere)) assert.deepEqual(percentages(tags, key), { [value]: 100 });
  }
}
