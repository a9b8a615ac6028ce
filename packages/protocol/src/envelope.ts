/**
 * The Sentry envelope format: a JSON header line, then items, each a JSON header line and a payload.
 * An item header may carry `length` (payload bytes); without it the payload runs to the next newline.
 * Pure functions over bytes so they run unchanged in Node, browsers and workers.
 */

export type EnvelopeHeaders = Record<string, unknown>;
export interface EnvelopeItemHeaders extends Record<string, unknown> {
  type: string;
  length?: number;
}
export interface EnvelopeItem {
  headers: EnvelopeItemHeaders;
  payload: Uint8Array;
}
export interface Envelope {
  headers: EnvelopeHeaders;
  items: EnvelopeItem[];
}

export class EnvelopeError extends Error {
  constructor(
    readonly code: 'invalid_envelope' | 'invalid_item_header' | 'invalid_item_length',
    message: string,
  ) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

const NEWLINE = 0x0a;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function lineEnd(bytes: Uint8Array, from: number): number {
  const at = bytes.indexOf(NEWLINE, from);
  return at === -1 ? bytes.length : at;
}

function parseJsonObject(bytes: Uint8Array, what: string, code: EnvelopeError['code']): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new EnvelopeError(code, `${what} is not valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EnvelopeError(code, `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

export function parseEnvelope(bytes: Uint8Array): Envelope {
  const headerEnd = lineEnd(bytes, 0);
  if (headerEnd === 0) throw new EnvelopeError('invalid_envelope', 'envelope header line is empty');
  const headers = parseJsonObject(bytes.subarray(0, headerEnd), 'envelope header', 'invalid_envelope');
  const items: EnvelopeItem[] = [];
  let offset = headerEnd + 1;
  while (offset < bytes.length) {
    const itemHeaderEnd = lineEnd(bytes, offset);
    if (itemHeaderEnd === offset) {
      offset += 1; // tolerate blank lines between items and trailing newlines
      continue;
    }
    const index = items.length;
    const itemHeaders = parseJsonObject(
      bytes.subarray(offset, itemHeaderEnd),
      `header of item ${index}`,
      'invalid_item_header',
    );
    if (typeof itemHeaders.type !== 'string' || itemHeaders.type === '') {
      throw new EnvelopeError('invalid_item_header', `item ${index} has no type`);
    }
    const payloadStart = Math.min(itemHeaderEnd + 1, bytes.length);
    let payloadEnd: number;
    const length = itemHeaders.length;
    if (length !== undefined && length !== null) {
      if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
        throw new EnvelopeError('invalid_item_length', `item ${index} has an invalid length`);
      }
      payloadEnd = payloadStart + length;
      if (payloadEnd > bytes.length) {
        throw new EnvelopeError(
          'invalid_item_length',
          `item ${index} declares ${length} bytes but only ${bytes.length - payloadStart} remain`,
        );
      }
    } else {
      payloadEnd = lineEnd(bytes, payloadStart);
    }
    items.push({
      headers: itemHeaders as EnvelopeItemHeaders,
      payload: bytes.subarray(payloadStart, payloadEnd),
    });
    offset = payloadEnd + 1;
  }
  return { headers, items };
}

export function serializeEnvelope(envelope: Envelope): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode(JSON.stringify(envelope.headers) + '\n')];
  for (const item of envelope.items) {
    const headers = { ...item.headers, length: item.payload.byteLength };
    parts.push(encoder.encode(JSON.stringify(headers) + '\n'), item.payload, encoder.encode('\n'));
  }
  let total = 0;
  for (const part of parts) total += part.byteLength;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** Builds an item from a JSON-serialisable payload. */
export function jsonItem(type: string, payload: unknown, headers: Record<string, unknown> = {}): EnvelopeItem {
  return { headers: { ...headers, type }, payload: encoder.encode(JSON.stringify(payload)) };
}
