/**
 * Parses `error.stack` from the three engines into Sentry frames, oldest call first (the wire
 * order; the server reads grouping frames from the end):
 *   V8 (Node, Chrome, Edge):    "    at fn (file.js:1:2)", "    at file.js:1:2"
 *   SpiderMonkey (Firefox):     "fn@file.js:1:2", "fn/<@file.js:1:2"
 *   JavaScriptCore (Safari):    "fn@file.js:1:2", "global code@file.js:1:2", "[native code]"
 */
import type { StackFrame } from './types.js';

export const MAX_FRAMES = 50;

// "    at fn (location)" or "    at location"
const V8_LINE = /^\s*at (?:(.+?) \((.*)\)|(.+))$/;
// "location:line:col", with line and column optional
const LOCATION = /^(.*?)(?::(\d+))?(?::(\d+))?$/;
// "fn@location" (fn may be empty); Firefox may add " line 2 > eval" segments to the location
const GECKO_LINE = /^\s*(.*?)@(.*?)(?::(\d+))?(?::(\d+))?\s*$/;

function toNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = parseInt(text, 10);
  return Number.isNaN(value) ? undefined : value;
}

/** file:///srv/a.js -> /srv/a.js, so Node frames from ESM and CJS look alike. */
function cleanPath(path: string): string {
  if (path.startsWith('file://')) {
    let rest = path.slice(7);
    try {
      rest = decodeURI(rest);
    } catch {
      // keep it encoded
    }
    return /^\/[A-Za-z]:\//.test(rest) ? rest.slice(1) : rest;
  }
  return path;
}

export function isInApp(filename: string | undefined): boolean {
  if (!filename) return false;
  if (filename.includes('/node_modules/') || filename.includes('\\node_modules\\')) return false;
  if (filename.startsWith('node:') || filename.startsWith('internal/')) return false;
  if (filename === '<anonymous>' || filename === '[native code]' || filename === 'native') return false;
  return true;
}

function makeFrame(fn: string | undefined, location: string, line?: string, column?: string): StackFrame {
  const filename = cleanPath(location);
  const frame: StackFrame = { function: fn || '?', filename, abs_path: filename, in_app: isInApp(filename) };
  const lineno = toNumber(line);
  const colno = toNumber(column);
  if (lineno !== undefined) frame.lineno = lineno;
  if (colno !== undefined) frame.colno = colno;
  return frame;
}

function parseV8Line(line: string): StackFrame | undefined {
  const match = V8_LINE.exec(line);
  if (!match) return undefined;
  let fn = match[1];
  let location = match[2] ?? match[3] ?? '';
  // "eval at fn (file.js:1:2), <anonymous>:1:1": report where eval was called
  const evalMatch = /^eval at [^(]*\((.*?)\)/.exec(location);
  if (evalMatch) location = evalMatch[1]!;
  if (fn) fn = fn.replace(/^async /, '');
  if (location === 'native' || location === '<anonymous>') return makeFrame(fn, location);
  if (/^index \d+$/.test(location)) return undefined; // "at async Promise.all (index 0)" has no file
  const loc = LOCATION.exec(location)!;
  return makeFrame(fn, loc[1]!, loc[2], loc[3]);
}

function parseGeckoLine(line: string): StackFrame | undefined {
  const trimmed = line.trim();
  if (trimmed === '[native code]') return makeFrame(undefined, '[native code]');
  const match = GECKO_LINE.exec(trimmed);
  if (!match) return undefined;
  let fn = match[1];
  let location = match[2] ?? '';
  // Firefox eval: "fn@file.js line 2 > eval:1:5" -> the file that called eval
  const evalAt = location.indexOf(' line ');
  if (evalAt !== -1 && / > (eval|Function)/.test(location)) location = location.slice(0, evalAt);
  if (fn) fn = fn.replace(/^async\*/, ''); // Firefox marks frames reached through await
  if (fn === 'global code' || fn === 'module code' || fn === 'eval code') fn = undefined;
  return makeFrame(fn, location, match[3], match[4]);
}

// Frames of Node's event loop that resumed an async function (which timer or tick queue ran the
// continuation). They say nothing about the program and vary from run to run, so keeping them
// would split one error into several issues (measured: 3 groups for one throw after an await).
const SCHEDULER_FRAME = /^node:internal\/(timers|process\/task_queues)$/;

/** Frames oldest first, at most MAX_FRAMES (the ones nearest the throw are kept). */
export function parseStack(stack: string | undefined): StackFrame[] {
  if (typeof stack !== 'string' || stack === '') return [];
  const frames: StackFrame[] = [];
  const lines = stack.split('\n');
  // V8 puts the message first, and a message may contain '@'; only "at" lines count there.
  const v8 = /^\s*at /m.test(stack);
  for (let i = 0; i < lines.length && frames.length < MAX_FRAMES + 1; i++) {
    const line = lines[i]!;
    if (line.length > 1024) continue; // minified one-liners are not frames
    let frame: StackFrame | undefined;
    if (v8) frame = /^\s*at /.test(line) ? parseV8Line(line) : undefined;
    else if (line.includes('@') || line.trim() === '[native code]') frame = parseGeckoLine(line);
    if (frame && !(frame.filename && SCHEDULER_FRAME.test(frame.filename))) frames.push(frame);
  }
  if (frames.length > MAX_FRAMES) frames.length = MAX_FRAMES;
  return frames.reverse();
}
