import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodePayload as decodeAny, encodePayload, encodePayloadV1, encodeReceivedEvent, storedPayload } from './payload-codec.js';
import { DICTIONARY_V2, DICTIONARY_V2_SHA256 } from './payload-dictionary-v2.js';

/** The text of a payload stored without context (formats 1 and 2). */
function decodePayload(blob: Uint8Array): string {
  const decoded = decodeAny(blob);
  assert.equal(decoded.context, null);
  return decoded.json;
}

const nodeEvent = JSON.stringify({
  level: 'error',
  platform: 'node',
  release: 'shop-api@2.14.3',
  environment: 'production',
  tags: { region: 'eu-west-1', plan: 'team' },
  user: { id: '4711', email: 'inès.müller@example.com', ip_address: '10.1.2.3' },
  contexts: { runtime: { name: 'node', version: 'v20.20.2' }, trace: { trace_id: 'b1e16494438842a99648aaa5854ba51e', span_id: '9916576c3bb0102b' } },
  breadcrumbs: [{ timestamp: 1767225600.123, category: 'console', level: 'info', message: 'Bestellung 注文 заказ 🚚 queued' }],
  exception: {
    values: [
      {
        type: 'TypeError',
        value: "Cannot read properties of undefined (reading 'amount')",
        mechanism: { type: 'auto.middleware.express', handled: false },
        stacktrace: {
          frames: [
            { filename: '/usr/src/app/node_modules/router/lib/route.js', function: 'next', lineno: 163, colno: 13, in_app: false },
            { filename: '/usr/src/app/src/orders.js', function: 'lineTotal', lineno: 51, colno: 30, in_app: true, context_line: '  return line.product.price.amount * line.quantity;' },
          ],
        },
      },
    ],
  },
});

test('format 2: a real-shaped event with non-ASCII text round-trips and starts with format byte 2', () => {
  const blob = encodePayload(nodeEvent);
  assert.equal(blob[0], 2);
  assert.ok(blob.length < nodeEvent.length / 2, `compressed to ${blob.length} of ${nodeEvent.length} bytes`);
  assert.equal(decodePayload(blob), nodeEvent);
  // From a Uint8Array view that does not start at offset 0.
  const padded = new Uint8Array(blob.length + 3);
  padded.set(blob, 3);
  assert.equal(decodePayload(padded.subarray(3)), nodeEvent);
});

test('format 2: many different events in a row reuse the encoder without mixing them up', () => {
  const events = Array.from({ length: 200 }, (_, i) => nodeEvent.replace('4711', `user-${i}`).repeat(1 + (i % 4)));
  const blobs = events.map(encodePayload);
  blobs.forEach((blob, i) => assert.equal(decodePayload(blob), events[i]));
});

test('format 2: a 1 MB payload round-trips, and small ones still work after it', () => {
  const big = JSON.stringify({ message: 'x', extra: { blob: 'ä€𝄞'.repeat(120_000), lines: Array.from({ length: 20_000 }, (_, i) => `line ${i}`) } });
  assert.ok(Buffer.byteLength(big) > 1_000_000);
  assert.equal(decodePayload(encodePayload(big)), big);
  assert.equal(decodePayload(encodePayload(nodeEvent)), nodeEvent);
  assert.equal(decodePayload(encodePayload('')), '');
});

test('format 1 blobs written before format 2 (deflate + the V1 dictionary) still decode', () => {
  const blob = encodePayloadV1(nodeEvent);
  assert.equal(blob[0], 1);
  assert.equal(decodePayload(blob), nodeEvent);
  // A blob exactly as format 1 wrote it, so a change to the V1 dictionary would fail here.
  const fixed = Buffer.from('AatGK5BqAQ==', 'base64');
  assert.equal(decodePayload(fixed), JSON.stringify({ level: 'error' }));
});

test('an unknown format byte throws a clear error', () => {
  const blob = encodePayload(nodeEvent);
  blob[0] = 9;
  assert.throws(() => decodePayload(blob), /unknown payload format 9/);
  assert.throws(() => decodePayload(Buffer.alloc(0)), /unknown payload format undefined/);
});

test('a corrupted format-2 blob throws instead of returning garbage', () => {
  const blob = encodePayload(nodeEvent);
  // A flipped bit at every position of the frame (header, compressed body, checksum) either throws
  // or, where zstd ignores the bit (the header's unused bit), still yields the exact original.
  let thrown = 0;
  for (let at = 1; at < blob.length; at++) {
    const bad = Buffer.from(blob);
    bad[at] = bad[at]! ^ (1 << (at % 8));
    try {
      assert.equal(decodePayload(bad), nodeEvent, `flip at byte ${at} returned other text`);
    } catch (error) {
      if (error instanceof assert.AssertionError) throw error;
      assert.match((error as Error).message, /corrupt payload \(format 2\)/);
      thrown++;
    }
  }
  assert.ok(thrown >= blob.length - 3, `${thrown} of ${blob.length - 1} flips threw`);
  assert.throws(() => decodePayload(blob.subarray(0, blob.length - 7)), /corrupt payload \(format 2\)/, 'truncated');
  assert.throws(() => decodePayload(Buffer.from([2])), /corrupt payload \(format 2\)/, 'empty frame');
});

test('the format-2 dictionary is the one shipped: its bytes never change', () => {
  assert.equal(createHash('sha256').update(DICTIONARY_V2).digest('hex'), DICTIONARY_V2_SHA256);
  assert.equal(DICTIONARY_V2_SHA256, '328b06a4c97f6ef6d264a64027e066b272fb5a290be6886ebc770422cb47ac20');
});

test('format 3: an event as received keeps its exact bytes and its context, whatever it is wrapped in', () => {
  const json = new TextEncoder().encode(nodeEvent);
  const blob = encodeReceivedEvent({ json, context: { clientIp: '2001:db8::7', generatedId: true } });
  assert.equal(blob[0], 3);
  assert.ok(blob.length < json.length / 2, `compressed to ${blob.length} of ${json.length} bytes`);
  assert.deepEqual(decodeAny(blob), { json: nodeEvent, context: { clientIp: '2001:db8::7', generatedId: true } });
  // Through storedPayload, from a view into a larger buffer (an envelope's item), with no context.
  const body = new TextEncoder().encode(`{"event_id":"x"}\n{"type":"event"}\n${nodeEvent}\n`);
  const item = body.subarray(body.length - json.length - 1, body.length - 1);
  assert.deepEqual(decodeAny(storedPayload({ json: item, context: {} })), { json: nodeEvent, context: {} });
  // Already encoded (the bench's data set): passed through.
  assert.equal(storedPayload(blob), blob);
});

test('format 3: text is decoded as ingest decoded it: a leading BOM dropped, bad UTF-8 replaced, newlines kept', () => {
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"message":"a"}')]);
  assert.equal(decodeAny(encodeReceivedEvent({ json: bom, context: {} })).json, '{"message":"a"}');
  const bad = new Uint8Array([...new TextEncoder().encode('{"message":"'), 0xff, 0xfe, ...new TextEncoder().encode('"}')]);
  assert.equal(decodeAny(encodeReceivedEvent({ json: bad, context: {} })).json, new TextDecoder().decode(bad));
  const pretty = JSON.stringify(JSON.parse(nodeEvent), null, 2);
  assert.equal(decodeAny(encodeReceivedEvent({ json: new TextEncoder().encode(pretty), context: {} })).json, pretty);
});

test('format 3: a corrupted frame throws naming format 3', () => {
  const blob = encodeReceivedEvent({ json: new TextEncoder().encode(nodeEvent), context: {} });
  assert.throws(() => decodeAny(blob.subarray(0, blob.length - 5)), /corrupt payload \(format 3\)/);
});
