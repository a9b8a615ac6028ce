/**
 * Which key names hold secrets. SDKs replace the values under such keys before sending (extra,
 * contexts, breadcrumb data, request headers) and warn when a tag key looks like one (seed 000,
 * "Bad - sensitive information"). The Python SDK embeds the same source string; the shared vectors
 * (vectors/sensitive-keys.json) prove both agree.
 *
 * Separators between words are optional (`api_key`, `apiKey`, `api-key`). Written to avoid common
 * false positives that would hide useful data: `prompt_tokens`, `max_tokens`, `tokenizer`,
 * `author`, `discard`, `cardinality`, `passenger`.
 */
export const SENSITIVE_KEY_SOURCE =
  'passw(or)?d|passphrase|^pass$|[_.-]pass$|secret|token(?!s|iz)|api[_.-]?key|auth(?!or(?!i))|cookie|credential|credit[_.-]?card|card[_.-]?(number|num|no$)|^card$|cvv|cvc|(^|[_.-])ssn($|[_.-])|private[_.-]?key|session[_.-]?(id|key)|csrf|xsrf|signature';

export const SENSITIVE_KEY = new RegExp(SENSITIVE_KEY_SOURCE, 'i');

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key);
}
