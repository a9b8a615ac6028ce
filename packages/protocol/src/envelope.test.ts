import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvelope, serializeEnvelope, jsonItem, EnvelopeError } from './envelope.js';

const enc = (text: string) => new TextEncoder().encode(text);
const dec = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

test('items with explicit length may contain newlines in their payload', () => {
  const payload = 'line one\nline two';
  const env = parseEnvelope(enc(`{"event_id":"a"}\n{"type":"attachment","length":${payload.length}}\n${payload}\n`));
  assert.equal(env.items.length, 1);
  assert.equal(dec(env.items[0]!.payload), payload);
});

test('items without length run to the next newline, trailing newline optional', () => {
  const env = parseEnvelope(enc('{}\n{"type":"event"}\n{"message":"a"}\n{"type":"session"}\n{"sid":"x"}'));
  assert.deepEqual(
    env.items.map((i) => [i.headers.type, dec(i.payload)]),
    [
      ['event', '{"message":"a"}'],
      ['session', '{"sid":"x"}'],
    ],
  );
});

test('length counts bytes, not characters', () => {
  const payload = '{"message":"héllo ✓"}';
  const bytes = enc(payload).byteLength;
  const env = parseEnvelope(enc(`{}\n{"type":"event","length":${bytes}}\n${payload}`));
  assert.equal(dec(env.items[0]!.payload), payload);
});

test('an envelope with only a header has no items', () => {
  assert.deepEqual(parseEnvelope(enc('{"dsn":"x"}\n')).items, []);
});

test('an item at the very end with an empty payload is accepted', () => {
  const env = parseEnvelope(enc('{}\n{"type":"client_report","length":0}'));
  assert.equal(env.items[0]!.payload.byteLength, 0);
});

test('malformed envelopes raise errors that name the problem', () => {
  const cases: Array<[string, string]> = [
    ['', 'invalid_envelope'],
    ['not json\n', 'invalid_envelope'],
    ['[1,2]\n', 'invalid_envelope'],
    ['{}\n{"length":2}\nab', 'invalid_item_header'],
    ['{}\n{"type":"event","length":50}\n{}', 'invalid_item_length'],
    ['{}\n{"type":"event","length":-1}\n{}', 'invalid_item_length'],
    ['{}\n{bad\n{}', 'invalid_item_header'],
  ];
  for (const [text, code] of cases) {
    assert.throws(
      () => parseEnvelope(enc(text)),
      (error: unknown) => error instanceof EnvelopeError && error.code === code,
      `expected ${code} for ${JSON.stringify(text)}`,
    );
  }
});

test('serialize then parse gives back the same items', () => {
  const original = {
    headers: { event_id: 'abc', sent_at: '2026-11-21T00:00:00Z' },
    items: [jsonItem('event', { message: 'multi\nline ✓' }), jsonItem('log', { items: [] })],
  };
  const parsed = parseEnvelope(serializeEnvelope(original));
  assert.deepEqual(parsed.headers, original.headers);
  assert.deepEqual(
    parsed.items.map((i) => JSON.parse(dec(i.payload))),
    [{ message: 'multi\nline ✓' }, { items: [] }],
  );
});
