/**
 * Micro-benchmark (issue 19): the cost of a project's fingerprint rules on digest. Digests the
 * bench's realistic events (15 frames, tags, breadcrumbs) with no rules, with 50 rules none of which
 * match (every rule is tried: the worst case), and with 50 rules where the last matches; and parses
 * the 50-rule text (done once per change, never per event).
 * Run: node --import tsx bench/fingerprint-rules.ts
 */
import { digestEvent } from '../packages/server/src/digest/digest.js';
import { parseFingerprintRules } from '../packages/server/src/digest/fingerprint-rules/parse.js';
import { makeEvent } from './payload.js';

const EVENTS = 2000;
const ROUNDS = 5;
const events = Array.from({ length: EVENTS }, (_, i) => makeEvent({ issue: i % 50, timestamp: Date.now() - i * 1000, seed: i }));
const jsons = events.map((e) => new TextEncoder().encode(JSON.stringify(e)));

const kinds = [
  (i: number) => `error.type:NoSuchError${i} -> type-${i}`,
  (i: number) => `tags.tenant:tenant-${i} level:error -> tenant, {{ tags.tenant }}`,
  (i: number) => `module:vendor.lib${i}.* function:handler${i} -> vendor-${i} title="Vendor ${i} failure"`,
  (i: number) => `error.value:"*timeout contacting service ${i}*" !app:yes -> timeout-${i}`,
  (i: number) => `path:**/node_modules/lib${i}/** -> lib-${i}, {{ default }}`,
];
const fifty = Array.from({ length: 50 }, (_, i) => kinds[i % kinds.length]!(i)).join('\n');
const lastMatches = `${Array.from({ length: 49 }, (_, i) => kinds[i % kinds.length]!(i)).join('\n')}\ntype:* -> everything title="{{ error.type }}"`;

function timePerEvent(rulesText: string): number {
  const rules = parseFingerprintRules(rulesText);
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < EVENTS; i++) digestEvent(events[i]!, 1, { receivedMs: Date.now() }, jsons[i], rules);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / EVENTS / 1000);
  }
  return best;
}

timePerEvent(''); // warm up
const none = timePerEvent('');
const miss = timePerEvent(fifty);
const hit = timePerEvent(lastMatches);
let parseBest = Infinity;
for (let i = 0; i < 50; i++) {
  const started = process.hrtime.bigint();
  parseFingerprintRules(fifty);
  parseBest = Math.min(parseBest, Number(process.hrtime.bigint() - started) / 1000);
}
console.log(`digest, no rules:                 ${none.toFixed(1)} µs/event`);
console.log(`digest, 50 rules, none matching:  ${miss.toFixed(1)} µs/event (+${(miss - none).toFixed(1)})`);
console.log(`digest, 50 rules, the 50th match: ${hit.toFixed(1)} µs/event (+${(hit - none).toFixed(1)})`);
console.log(`parsing the 50 rules (once per change): ${parseBest.toFixed(0)} µs`);
