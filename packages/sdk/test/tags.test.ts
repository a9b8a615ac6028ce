import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Scope } from '../src/core/index.js';

// The shared vectors the server and the Python SDK are tested against too.
const vectors = JSON.parse(
  readFileSync(new URL('../../protocol/vectors/tags.json', import.meta.url), 'utf8'),
) as { cases: Array<{ name: string; key: unknown; value: unknown; expected?: string; dropped?: string }> };

for (const vector of vectors.cases) {
  test(`tag vector: ${vector.name}`, () => {
    const scope = new Scope().setTag(vector.key as string, vector.value);
    if (vector.dropped) {
      assert.deepEqual(scope.tags, {}, `expected the tag to be dropped (${vector.dropped})`);
    } else {
      assert.deepEqual(scope.tags, { [vector.key as string]: vector.expected });
    }
  });
}

test('setTags applies the same rules to each tag', () => {
  const scope = new Scope().setTags({ good: 'x', 'bad key': 'y', num: 1.5 });
  assert.deepEqual(scope.tags, { good: 'x', num: '1.5' });
});
