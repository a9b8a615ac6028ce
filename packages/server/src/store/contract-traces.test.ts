/**
 * The trace part of the store contract (store/trace-types.ts), on every backend: spans assembled
 * across writes, trace status, tags and metadata, both kinds of search, pages, logs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTraceFilter } from '../query/trace-filter.js';
import type { SpanInput, TelemetryBatch, TraceSearchQuery } from './trace-types.js';
import { BACKENDS, BASE as base, type OpenedStore } from './contract.fixtures.js';
import type { Store } from './types.js';

for (const backend of BACKENDS) {
  describe(`trace store contract on ${backend.name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    let projectId: number;

    const traceId = (n: number) => n.toString(16).padStart(32, '0');
    const spanId = (t: number, n: number) => `${t.toString(16).padStart(8, '0')}${n.toString(16).padStart(8, '0')}`;

    function span(t: number, n: number, parent: number | null, startOffset: number, duration: number, extra: Partial<SpanInput> = {}): SpanInput {
      return {
        traceId: traceId(t),
        spanId: spanId(t, n),
        parentSpanId: parent === null ? null : spanId(t, parent),
        name: `span ${n}`,
        op: 'function',
        status: 'ok',
        startMs: base + t * 60_000 + startOffset,
        endMs: base + t * 60_000 + startOffset + duration,
        rootKind: parent === null ? 2 : 0,
        data: {},
        ...extra,
      };
    }

    const batch = (parts: Partial<TelemetryBatch>): TelemetryBatch => ({ projectId, spans: [], annotations: [], logs: [], ...parts });

    async function search(filter: string, extra: Partial<TraceSearchQuery> = {}) {
      const page = await store.searchTraces({
        projectId,
        filter: parseTraceFilter(filter),
        order: { field: 'timestamp_ms', direction: 'asc' },
        limit: 100,
        ...extra,
      });
      return page.items.map((t) => Number.parseInt(t.traceId.slice(-8), 16));
    }

    before(async () => {
      opened = await backend.open();
      store = opened.store;
      projectId = (await store.createProject({ name: 'Trace test' })).id;
      // Trace 1: children first, root later, in two writes (span streaming, OTLP batches).
      await store.write([], [], [batch({ spans: [span(1, 2, 1, 10, 100, { name: 'Fetch User', op: 'db.query', data: { 'db.table': 'users', rows: 1 } })] })]);
      await store.write([], [], [batch({
        spans: [span(1, 1, null, 0, 6000, { name: 'chat', status: 'ok' }), span(1, 2, 1, 10, 100)],
        annotations: [{ traceId: traceId(1), tags: { environment: 'production', 'service.name': 'chat_api' }, metadata: { user: 'alice' } }],
      })]);
      // Trace 2: a failed root, slow.
      await store.write([], [], [batch({
        spans: [span(2, 1, null, 0, 12_000, { name: 'Checkout', status: 'error' }), span(2, 2, 1, 5, 50, { name: 'http GET', op: 'http.client', data: { 'http.method': 'GET', status_code: 500 } })],
        annotations: [{ traceId: traceId(2), tags: { environment: 'production' }, metadata: {} }],
      })]);
      // Trace 3: UNSET root (OpenTelemetry's default) over a failed child is ERROR; staging.
      await store.write([], [], [batch({
        spans: [span(3, 1, null, 0, 800, { name: 'chat', status: 'unset' }), span(3, 2, 1, 1, 2, { status: 'error' })],
        annotations: [{ traceId: traceId(3), tags: { environment: 'staging' }, metadata: { user: 'bob' } }],
      })]);
      // Trace 4: only a segment with a remote parent; OK.
      await store.write([], [], [batch({ spans: [span(4, 1, 99, 0, 300, { name: 'worker', rootKind: 1 })] })]);
    });
    after(() => opened.cleanup());

    test('spans arriving in several writes assemble one trace: root name, status, timing, span count', async () => {
      const detail = await store.getTrace(projectId, traceId(1));
      assert.ok(detail);
      assert.equal(detail.trace.name, 'chat');
      assert.equal(detail.trace.status, 'OK');
      assert.equal(detail.trace.spanCount, 2, 'the repeated span is stored once');
      assert.equal(detail.trace.executionTimeMs, 6000);
      assert.equal(detail.trace.timestampMs, base + 60_000);
      assert.deepEqual(detail.trace.tags, { environment: 'production', 'service.name': 'chat_api' });
      const child = detail.spans.find((s) => s.name === 'Fetch User');
      assert.deepEqual(child?.data, { 'db.table': 'users', rows: 1 });
      assert.equal(child?.parentSpanId, spanId(1, 1));
      assert.equal(child?.durationMs, 100);
    });

    test('trace status: root error is ERROR; UNSET root over a failed child is ERROR; a remote-parent segment is the root', async () => {
      assert.equal((await store.getTrace(projectId, traceId(2)))?.trace.status, 'ERROR');
      assert.equal((await store.getTrace(projectId, traceId(3)))?.trace.status, 'ERROR');
      const four = await store.getTrace(projectId, traceId(4));
      assert.equal(four?.trace.name, 'worker');
      assert.equal(four?.trace.status, 'OK');
    });

    test('metadata is write-once, tags are updated', async () => {
      await store.write([], [], [batch({ annotations: [{ traceId: traceId(1), tags: { environment: 'prod-eu' }, metadata: { user: 'mallory', extra: 'x' } }] })]);
      const detail = await store.getTrace(projectId, traceId(1));
      assert.deepEqual(detail?.trace.metadata, { extra: 'x', user: 'alice' });
      assert.equal(detail?.trace.tags.environment, 'prod-eu');
      await store.write([], [], [batch({ annotations: [{ traceId: traceId(1), tags: { environment: 'production' }, metadata: {} }] })]);
    });

    test('search: tags, status, durations, names, spans, metadata, span attributes', async () => {
      assert.deepEqual(await search("tags.environment = 'production'"), [1, 2]);
      assert.deepEqual(await search("status = 'ERROR'"), [2, 3]);
      assert.deepEqual(await search("tags.environment = 'production' AND status = 'ERROR' AND execution_time_ms > 5000"), [2]);
      assert.deepEqual(await search('execution_time_ms > 5000'), [1, 2]);
      assert.deepEqual(await search("tags.`service.name` = 'chat_api'"), [1]);
      assert.deepEqual(await search("name = 'chat'"), [1, 3]);
      assert.deepEqual(await search("name LIKE 'Check%'"), [2]);
      assert.deepEqual(await search("name LIKE 'check%'"), [], 'LIKE is case-sensitive');
      assert.deepEqual(await search("name ILIKE 'check%'"), [2]);
      assert.deepEqual(await search("span.name = 'Fetch User'"), [1]);
      assert.deepEqual(await search("span.type = 'http.client'"), [2]);
      assert.deepEqual(await search("span.type LIKE 'db.%'"), [1]);
      assert.deepEqual(await search("span.attributes.`http.method` = 'GET'"), [2]);
      assert.deepEqual(await search("span.attributes.status_code = '500'"), [2]);
      assert.deepEqual(await search("metadata.user = 'bob'"), [3]);
      assert.deepEqual(await search("tags.environment != 'production'"), [3], '!= needs the tag');
      assert.deepEqual(await search("tags.environment NOT IN ('staging')"), [1, 2]);
      assert.deepEqual(await search('tags.environment IS NULL'), [4]);
      assert.deepEqual(await search("tags.environment = 'staging' OR name = 'worker'"), [3, 4]);
      assert.deepEqual(await search("trace_id = '" + traceId(4) + "'"), [4]);
      assert.deepEqual(await search("span.status = 'error'"), [2, 3]);
    });

    test('order and keyset pages', async () => {
      assert.deepEqual(await search('', { order: { field: 'execution_time_ms', direction: 'desc' } }), [2, 1, 3, 4]);
      const seen: number[] = [];
      let token: string | undefined;
      do {
        const page = await store.searchTraces({ projectId, filter: null, order: { field: 'timestamp_ms', direction: 'desc' }, limit: 3, pageToken: token });
        seen.push(...page.items.map((t) => Number.parseInt(t.traceId.slice(-8), 16)));
        token = page.nextCursor ?? undefined;
      } while (token);
      assert.equal(seen.length, 4);
      assert.deepEqual(seen, [4, 3, 2, 1]);
    });

    test('tags after the fact: set, update, delete; batch tagging by filter', async () => {
      assert.equal(await store.setTraceTag(projectId, traceId(4), 'needs_review', 'true'), true);
      assert.equal(await store.setTraceTag(projectId, traceId(99), 'needs_review', 'true'), false);
      assert.deepEqual(await search("tags.needs_review = 'true'"), [4]);
      assert.equal(await store.deleteTraceTag(projectId, traceId(4), 'needs_review'), true);
      assert.equal(await store.deleteTraceTag(projectId, traceId(4), 'needs_review'), false);
      assert.equal(await store.tagMatchingTraces({ projectId, filter: parseTraceFilter("status = 'ERROR'") }, { needs_review: 'true', review_priority: 'high' }, []), 2);
      assert.deepEqual(await search("tags.needs_review = 'true' AND tags.review_priority = 'high'"), [2, 3]);
      assert.equal(await store.tagMatchingTraces({ projectId, filter: null }, {}, ['needs_review', 'review_priority']), 4);
      assert.deepEqual(await search('tags.needs_review IS NOT NULL'), []);
    });

    test('logs by trace, time, level and text, with keyset pages', async () => {
      const logs = [0, 1, 2, 3, 4].map((i) => ({
        timestampMs: base + i * 1000,
        level: i === 3 ? 'error' : 'info',
        severity: null,
        body: `step ${i} of checkout`,
        traceId: i < 4 ? traceId(2) : null,
        spanId: null,
        attributes: { i },
      }));
      await store.write([], [], [batch({ logs })]);
      const byTrace = await store.listLogs({ projectId, traceId: traceId(2), limit: 10, order: 'asc' });
      assert.deepEqual(byTrace.items.map((l) => l.body), ['step 0 of checkout', 'step 1 of checkout', 'step 2 of checkout', 'step 3 of checkout']);
      assert.deepEqual(byTrace.items[0]?.attributes, { i: 0 });
      const errors = await store.listLogs({ projectId, levels: ['error'], limit: 10, order: 'asc' });
      assert.equal(errors.items.length, 1);
      const text = await store.listLogs({ projectId, text: 'STEP 4', limit: 10, order: 'asc' });
      assert.equal(text.items.length, 1);
      const first = await store.listLogs({ projectId, from: base + 1000, to: base + 3000, limit: 2, order: 'desc' });
      assert.deepEqual(first.items.map((l) => l.body), ['step 3 of checkout', 'step 2 of checkout']);
      const second = await store.listLogs({ projectId, from: base + 1000, to: base + 3000, limit: 2, order: 'desc', cursor: first.nextCursor! });
      assert.deepEqual(second.items.map((l) => l.body), ['step 1 of checkout']);
      assert.equal(second.nextCursor, null);
    });

    test('traces per tag value (error rate denominators)', async () => {
      const counts = await store.tracesPerTagValue(projectId, 'environment', ['production', 'staging', 'dev'], null);
      assert.deepEqual([...counts.entries()].sort(), [['production', 2], ['staging', 1]]);
      const windowed = await store.tracesPerTagValue(projectId, 'environment', ['production'], { from: base + 120_000, to: base + 180_000 });
      assert.equal(windowed.get('production'), 1);
    });
  });
}
