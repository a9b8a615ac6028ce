import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTelemetry } from '../telemetry/sentry-items.js';
import { addOtlpLogs, addOtlpTraces, anyValue, nanosToMs, otlpId } from './otlp-map.js';

/** A receive time after the test data's 2023 times (later times would be clock drift). */
const RECEIVED_MS = Date.UTC(2024, 0, 1);
import { decodeOtlp, ExportTraceServiceRequest } from './otlp-schema.js';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

test('ids: hex in JSON, base64 from protobuf (and from old JSON exporters); all-zero and wrong lengths are absent', () => {
  assert.equal(otlpId(TRACE, 'hex', 16), TRACE);
  assert.equal(otlpId(TRACE.toUpperCase(), 'hex', 16), TRACE);
  assert.equal(otlpId(Buffer.from(TRACE, 'hex').toString('base64'), 'base64', 16), TRACE);
  assert.equal(otlpId(Buffer.from(TRACE, 'hex').toString('base64'), 'hex', 16), TRACE);
  assert.equal(otlpId('0'.repeat(32), 'hex', 16), null);
  assert.equal(otlpId('abc', 'hex', 16), null);
  assert.equal(otlpId(undefined, 'hex', 8), null);
});

test('times: nanosecond strings and numbers keep microseconds; zero is absent', () => {
  assert.equal(nanosToMs('1700000000123456789'), 1700000000123.456);
  assert.equal(nanosToMs(1_700_000_000_000_000_000), 1_700_000_000_000);
  assert.equal(nanosToMs('0'), undefined);
  assert.equal(nanosToMs('soon'), undefined);
});

test('AnyValue: scalars, 64-bit ints, arrays, key-value lists', () => {
  assert.equal(anyValue({ stringValue: 'x' }), 'x');
  assert.equal(anyValue({ intValue: '42' }), 42);
  assert.equal(anyValue({ intValue: '9223372036854775807' }), '9223372036854775807');
  assert.equal(anyValue({ doubleValue: 0.5 }), 0.5);
  assert.deepEqual(anyValue({ arrayValue: { values: [{ boolValue: true }, { stringValue: 'a' }] } }), [true, 'a']);
  assert.deepEqual(anyValue({ kvlistValue: { values: [{ key: 'k', value: { intValue: 1 } }] } }), { k: 1 });
  assert.equal(anyValue(null), null);
});

test('JSON spans with enum names, a failed status and events', () => {
  const batch = emptyTelemetry(1);
  addOtlpTraces(batch, {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
      scopeSpans: [{
        spans: [
          {
            traceId: TRACE, spanId: SPAN, name: 'GET /x', kind: 'SPAN_KIND_SERVER',
            startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000250000000',
            status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
            events: [{ name: 'exception', timeUnixNano: '1700000000100000000', attributes: [{ key: 'exception.type', value: { stringValue: 'Error' } }] }],
          },
          { traceId: TRACE, spanId: '0'.repeat(16), name: 'no id' },
        ],
      }],
    }],
  }, 'hex', RECEIVED_MS);
  assert.equal(batch.spans.length, 1, 'a span without a valid id is skipped');
  const [span] = batch.spans;
  assert.equal(span!.op, 'server');
  assert.equal(span!.status, 'error');
  assert.equal(span!.rootKind, 2);
  assert.equal(span!.endMs - span!.startMs, 250);
  assert.equal(span!.data['service.name'], 'api');
  assert.equal(span!.data['otel.status_message'], 'boom');
  assert.deepEqual(span!.data.events, [{ name: 'exception', timestampMs: 1700000000100, attributes: { 'exception.type': 'Error' } }]);
});

test('protobuf round trip through the schema: ids, kind, times and attributes', () => {
  const message = ExportTraceServiceRequest.fromObject({
    resourceSpans: [{
      scopeSpans: [{
        spans: [{
          traceId: Buffer.from(TRACE, 'hex'), spanId: Buffer.from(SPAN, 'hex'), parentSpanId: Buffer.from('1'.repeat(16), 'hex'),
          name: 'consume', kind: 5, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000',
          attributes: [{ key: 'mlflow.spanType', value: { stringValue: 'CHAIN' } }, { key: 'n', value: { intValue: '7' } }],
          status: { code: 1 },
        }],
      }],
    }],
  });
  const decoded = decodeOtlp(ExportTraceServiceRequest, ExportTraceServiceRequest.encode(message).finish());
  const batch = emptyTelemetry(1);
  addOtlpTraces(batch, decoded, 'base64', RECEIVED_MS);
  const [span] = batch.spans;
  assert.equal(span!.traceId, TRACE);
  assert.equal(span!.parentSpanId, '1'.repeat(16));
  assert.equal(span!.rootKind, 1, 'a consumer span with a remote parent is a segment');
  assert.equal(span!.op, 'CHAIN', 'a type attribute wins over the kind');
  assert.equal(span!.status, 'ok');
  assert.equal(span!.endMs - span!.startMs, 1000);
  assert.equal(span!.data.n, 7);
});

test('logs: severity text or number to a level, body of any type, the observed time when the time is missing', () => {
  const batch = emptyTelemetry(1);
  addOtlpLogs(batch, {
    resourceLogs: [{
      scopeLogs: [{
        logRecords: [
          { observedTimeUnixNano: '1700000000000000000', severityNumber: 13, body: { kvlistValue: { values: [{ key: 'a', value: { intValue: '1' } }] } } },
          { timeUnixNano: '1700000000000000000', severityText: 'Critical', body: { stringValue: 'down' }, traceId: TRACE },
        ],
      }],
    }],
  }, 'hex', RECEIVED_MS);
  assert.deepEqual(batch.logs.map((l) => [l.level, l.body, l.timestampMs, l.traceId]), [
    ['warn', '{"a":1}', 1700000000000, null],
    ['fatal', 'down', 1700000000000, TRACE],
  ]);
});
