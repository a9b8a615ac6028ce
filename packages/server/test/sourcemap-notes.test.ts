/**
 * What symbolication tells the user when it cannot do everything: no path may leave a frame
 * minified without a processing note. A map uploaded without its sources (terser's default, and
 * what sentry-cli uploads when it cannot find them on disk) still gives the original function
 * names, read from the minified code the bundle carries, and says the sources are missing; an
 * event naming a debug ID that has no map says so even in a project that never uploaded any.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { greetBundle, minifiedGreet, sendMinifiedError, storedEvent, uploadBundle } from '../../../tests/helpers/artifact-bundles.js';
import { startServer, type RunningServer } from '../../../tests/helpers/server.js';

describe('symbolication notes on the event instead of silent skips', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => server?.stop());

  test('a debug ID with no map, in a project without any upload: the frame stays as sent, with js_no_source naming the debug ID', async () => {
    const debugId = randomUUID();
    const event = await storedEvent(server, await sendMinifiedError(server, { lineno: 1, colno: 30 }, { debugId }));
    const frame = event.exception.values[0].stacktrace.frames[0];
    assert.equal(frame.function, 'n');
    assert.deepEqual(event.processingErrors, [{ type: 'js_no_source', url: 'https://shop.example/app.min.js', debug_id: debugId }]);
  });

  test('a map without sourcesContent, found by debug ID: original function, file and line from the map and the minified code, no context, js_missing_sources_content', async () => {
    const built = await minifiedGreet({ withSources: false });
    assert.doesNotMatch(built.code, /greet/, 'the minifier renamed greet');
    const debugId = randomUUID();
    await uploadBundle(server, greetBundle(built, debugId));
    const event = await storedEvent(server, await sendMinifiedError(server, built, { debugId }));
    const frame = event.exception.values[0].stacktrace.frames[0];
    assert.deepEqual([frame.function, frame.filename, frame.lineno], ['greet', 'src/greet.js', 3]);
    assert.equal(frame.context_line, undefined);
    assert.deepEqual(event.processingErrors, [{ type: 'js_missing_sources_content', url: 'https://shop.example/app.min.js', source: 'src/greet.js' }]);
  });

  test('the same map found by release and URL (no debug ID on the event): the function name comes from the minified file of the release', async () => {
    const built = await minifiedGreet({ withSources: false });
    await uploadBundle(server, greetBundle(built, randomUUID()), { release: 'notes@1' });
    const event = await storedEvent(server, await sendMinifiedError(server, built, { release: 'notes@1' }));
    const frame = event.exception.values[0].stacktrace.frames[0];
    assert.deepEqual([frame.function, frame.filename, frame.lineno], ['greet', 'src/greet.js', 3]);
    assert.deepEqual(event.processingErrors.map((e: { type: string }) => e.type), ['js_missing_sources_content']);
  });

  test('with sourcesContent the enclosing original function and context lines come from the source, and nothing is noted', async () => {
    const built = await minifiedGreet({ withSources: true });
    const debugId = randomUUID();
    await uploadBundle(server, greetBundle(built, debugId));
    const event = await storedEvent(server, await sendMinifiedError(server, built, { debugId }));
    const frame = event.exception.values[0].stacktrace.frames[0];
    assert.deepEqual([frame.function, frame.lineno, frame.context_line.trim()], ['greet', 3, "throw new RangeError('no name');"]);
    assert.deepEqual(event.processingErrors ?? [], []);
  });
});
