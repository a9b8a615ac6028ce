import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fingerprintFromSource, groupingSource, fileBaseName, type GroupingEvent } from './fingerprint.js';

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
const vectors = JSON.parse(readFileSync(new URL('../vectors/fingerprint.json', import.meta.url), 'utf8')) as {
  vectors: Array<{ name: string; event: GroupingEvent; source: string; fingerprint: string }>;
};

test('seed 001 example hashes to the documented SHA-256 prefix', () => {
  const source = 'TypeError|checkout@app.js|onClick@button.js|callHandler@react-dom.js';
  assert.equal(fingerprintFromSource(source, sha256Hex), sha256Hex(source).slice(0, 16));
  assert.match(fingerprintFromSource(source, sha256Hex), /^[0-9a-f]{16}$/);
});

for (const vector of vectors.vectors) {
  test(`fingerprint vector: ${vector.name}`, () => {
    const source = groupingSource(vector.event);
    assert.equal(source, vector.source);
    assert.equal(fingerprintFromSource(source, sha256Hex), vector.fingerprint);
  });
}

test('file base names drop directories, query strings and fragments', () => {
  assert.equal(fileBaseName('/srv/app/src/app.js'), 'app.js');
  assert.equal(fileBaseName('https://cdn.example.com/a/b/bundle.min.js?v=1#x'), 'bundle.min.js');
  assert.equal(fileBaseName('C:\\app\\main.py'), 'main.py');
  assert.equal(fileBaseName('webpack:///./src/index.ts'), 'index.ts');
  assert.equal(fileBaseName('/trailing/'), '?');
  assert.equal(fileBaseName(undefined), '?');
});

test('a custom fingerprint with only non-string parts falls back to the default', () => {
  const event: GroupingEvent = { fingerprint: [{}, null], message: 'hello' };
  assert.equal(groupingSource(event), 'message|hello');
});
