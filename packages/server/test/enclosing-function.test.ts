/**
 * The enclosing-function index symbolication names frames with: the innermost named function around
 * a position, and where that name is written (what a map's `names` is looked up at when the map
 * lacks its sources). Minified-looking code, as a bundler writes it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexFunctions } from '../src/digest/symbolicate/enclosing-function.js';

const CODE = [
  'function n(r){if(!r)throw new Error("x");return r}',
  'const o=function(){return n(1)},i=()=>{throw 1};',
  'class a{m(){throw 2}static s=()=>{throw 3}}',
  'e.t.handler=function(){throw 4};var k={p(){throw 5},"q":()=>{throw 6}};',
].join('\n');
const index = indexFunctions(CODE);

/** Line and 0-based column of the first `needle` after `from` on a 1-based line. */
function at(line: number, needle: string, from = 0): [number, number] {
  return [line, CODE.split('\n')[line - 1]!.indexOf(needle, from)];
}

test('each kind of named function: the innermost name around a throw, and the position of that name in the code', () => {
  const cases: Array<[[number, number], string, [number, number]]> = [
    [at(1, 'throw'), 'n', at(1, 'n(')],
    [at(2, 'return'), 'o', at(2, 'o=')],
    [at(2, 'throw'), 'i', at(2, 'i=')],
    [at(3, 'throw 2'), 'a.m', at(3, 'm(')],
    [at(3, 'throw 3'), 'a.s', at(3, 's=')],
    [at(4, 'throw 4'), 'e.t.handler', at(4, 'handler')],
    [at(4, 'throw 5'), 'p', at(4, 'p(')],
    [at(4, 'throw 6'), 'q', at(4, '"q"')],
  ];
  for (const [[line, column], name, [nameLine, nameColumn]] of cases) {
    assert.equal(index.nameAt(line, column), name);
    assert.deepEqual(index.enclosingAt(line, column), { name, line: nameLine, column: nameColumn }, `${name} at ${line}:${column}`);
  }
});

test('outside any function, or in code that does not parse, there is no name', () => {
  assert.equal(index.enclosingAt(2, 0), null);
  assert.equal(indexFunctions('function (').enclosingAt(1, 3), null);
  assert.equal(index.enclosingAt(99, 0), null);
});
