/**
 * Random identifiers: 32 hex digits for event, trace and session ids, 16 for span ids (the Sentry
 * formats). `crypto.getRandomValues` exists in browsers and Node >= 19 without an import.
 */

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i + 0x100).toString(16).slice(1));

function randomBytes(count: number): Uint8Array {
  const bytes = new Uint8Array(count);
  const crypto = (globalThis as { crypto?: { getRandomValues?(array: Uint8Array): Uint8Array } }).crypto;
  if (crypto?.getRandomValues) {
    crypto.getRandomValues(bytes);
  } else {
    for (let i = 0; i < count; i++) bytes[i] = (Math.random() * 256) | 0;
  }
  return bytes;
}

function hex(count: number): string {
  const bytes = randomBytes(count);
  let out = '';
  for (let i = 0; i < count; i++) out += HEX[bytes[i]!];
  return out;
}

/** A version-4 UUID without dashes, the form Sentry uses for event ids. */
export function uuid4(): string {
  const bytes = randomBytes(16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  let out = '';
  for (let i = 0; i < 16; i++) out += HEX[bytes[i]!];
  return out;
}

export const newTraceId = uuid4;

export function newSpanId(): string {
  return hex(8);
}

/** Seconds since the epoch with millisecond precision, the event timestamp format. */
export function nowSeconds(): number {
  return Date.now() / 1000;
}
