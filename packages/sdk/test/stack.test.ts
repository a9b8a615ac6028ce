import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseStack } from '../src/core/index.js';

// Frames come back oldest first (the wire order), so the throwing frame is the last one.
const names = (stack: string) => parseStack(stack).map((f) => f.function);

describe('V8 stacks (Node, Chrome, Edge)', () => {
  test('a live Node error parses into named frames with the thrower last', () => {
    function checkout(): never {
      throw new TypeError("Cannot read properties of undefined (reading 'id')");
    }
    function onClick() {
      checkout();
    }
    let error: Error | undefined;
    try {
      onClick();
    } catch (e) {
      error = e as Error;
    }
    const frames = parseStack(error!.stack);
    assert.equal(frames.at(-1)!.function, 'checkout');
    assert.equal(frames.at(-2)!.function, 'onClick');
    assert.match(frames.at(-1)!.filename!, /stack\.test\.ts$/);
    assert.equal(frames.at(-1)!.in_app, true);
    assert.ok(frames.at(-1)!.lineno! > 0 && frames.at(-1)!.colno! > 0);
  });

  test('a Chrome stack with anonymous, constructor, async, eval and native frames', () => {
    const stack = [
      "TypeError: Cannot read properties of undefined (reading 'id') at user@example.com",
      '    at checkout (https://shop.example.com/static/app.js:10:15)',
      '    at new Cart (https://shop.example.com/static/cart.js:4:11)',
      '    at Object.onClick (https://shop.example.com/static/button.js:3:5)',
      '    at https://shop.example.com/static/index.js:1:20',
      '    at Array.map (<anonymous>)',
      '    at eval (eval at compile (https://shop.example.com/static/loader.js:8:3), <anonymous>:1:1)',
      '    at async loadPage (https://shop.example.com/static/page.js:22:7)',
      '    at async Promise.all (index 0)',
    ].join('\n');
    const frames = parseStack(stack);
    assert.deepEqual(
      frames.map((f) => f.function),
      ['loadPage', 'eval', 'Array.map', '?', 'Object.onClick', 'new Cart', 'checkout'],
    );
    assert.deepEqual(frames.at(-1), {
      function: 'checkout',
      filename: 'https://shop.example.com/static/app.js',
      abs_path: 'https://shop.example.com/static/app.js',
      in_app: true,
      lineno: 10,
      colno: 15,
    });
    assert.equal(frames[1]!.filename, 'https://shop.example.com/static/loader.js');
    assert.equal(frames[2]!.in_app, false);
  });

  test('Node frames from node_modules and file URLs; event-loop scheduler frames are left out', () => {
    const stack = [
      'Error: boom',
      '    at handler (file:///srv/app/src/routes.js:12:9)',
      '    at Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at listOnTimeout (node:internal/timers:581:17)',
    ].join('\n');
    const frames = parseStack(stack);
    assert.deepEqual(frames.map((f) => [f.function, f.filename, f.in_app]), [
      ['Layer.handle', '/srv/app/node_modules/express/lib/router/layer.js', false],
      ['handler', '/srv/app/src/routes.js', true],
    ]);
  });
});

describe('SpiderMonkey stacks (Firefox)', () => {
  test('named, anonymous, nested-closure, async and eval frames', () => {
    const stack = [
      'checkout@https://shop.example.com/static/app.js:10:15',
      'fetchUser/<@https://shop.example.com/static/api.js:20:3',
      'async*loadPage@https://shop.example.com/static/page.js:22:7',
      'run@https://shop.example.com/static/page.html line 12 > eval:1:5',
      '@https://shop.example.com/static/index.js:1:1',
      '',
    ].join('\n');
    const frames = parseStack(stack);
    assert.deepEqual(names(stack), ['?', 'run', 'loadPage', 'fetchUser/<', 'checkout']);
    assert.equal(frames[1]!.filename, 'https://shop.example.com/static/page.html');
    assert.deepEqual([frames.at(-1)!.lineno, frames.at(-1)!.colno], [10, 15]);
  });
});

describe('JavaScriptCore stacks (Safari)', () => {
  test('named, native, global-code and module-code frames', () => {
    const stack = [
      'checkout@https://shop.example.com/static/app.js:10:15',
      'onClick@https://shop.example.com/static/button.js:3:5',
      'forEach@[native code]',
      '[native code]',
      'module code@https://shop.example.com/static/main.mjs:4:2',
      'global code@https://shop.example.com/static/index.js:1:1',
    ].join('\n');
    const frames = parseStack(stack);
    assert.deepEqual(names(stack), ['?', '?', '?', 'forEach', 'onClick', 'checkout']);
    assert.equal(frames[3]!.in_app, false);
    assert.equal(frames.at(-2)!.filename, 'https://shop.example.com/static/button.js');
  });
});

test('empty, missing and junk stacks give no frames', () => {
  assert.deepEqual(parseStack(undefined), []);
  assert.deepEqual(parseStack(''), []);
  assert.deepEqual(parseStack('just a message'), []);
});

test('very deep stacks keep the 50 frames nearest the throw', () => {
  const lines = ['Error: deep'];
  for (let i = 0; i < 80; i++) lines.push(`    at f${i} (/srv/app/a.js:${i + 1}:1)`);
  const frames = parseStack(lines.join('\n'));
  assert.equal(frames.length, 50);
  assert.equal(frames.at(-1)!.function, 'f0');
});

describe('grouping of what the SDK sends (seed 001)', () => {
  test('the seed example, thrown in three engines, gives the same grouping source on the server', async () => {
    const { groupingSource } = await import('@proliferate/protocol');
    const { eventFromException } = await import('../src/core/eventbuilder.js');
    const stacks = {
      v8: [
        "TypeError: Cannot read properties of undefined (reading 'id')",
        '    at checkout (https://shop.example.com/static/app.js:10:15)',
        '    at onClick (https://shop.example.com/static/button.js:3:5)',
        '    at callHandler (https://shop.example.com/static/react-dom.js:120:9)',
        '    at dispatch (https://shop.example.com/static/react-dom.js:300:1)',
      ].join('\n'),
      spidermonkey: [
        'checkout@https://shop.example.com/static/app.js:10:15',
        'onClick@https://shop.example.com/static/button.js:3:5',
        'callHandler@https://shop.example.com/static/react-dom.js:120:9',
        'dispatch@https://shop.example.com/static/react-dom.js:300:1',
      ].join('\n'),
      javascriptcore: [
        'checkout@https://shop.example.com/static/app.js:10:16',
        'onClick@https://shop.example.com/static/button.js:3:6',
        'callHandler@https://shop.example.com/static/react-dom.js:120:10',
        'dispatch@https://shop.example.com/static/react-dom.js:300:2',
      ].join('\n'),
    };
    for (const [engine, stack] of Object.entries(stacks)) {
      const error = new TypeError("Cannot read properties of undefined (reading 'id')");
      error.stack = stack;
      const event = eventFromException(error);
      assert.equal(
        groupingSource(event as Parameters<typeof groupingSource>[0]),
        'TypeError|checkout@app.js|onClick@button.js|callHandler@react-dom.js',
        engine,
      );
    }
  });
});
