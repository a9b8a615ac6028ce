import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes as URL-safe text: session ids, CSRF tokens, one-time links, API tokens. */
export const newSecret = (prefix = ''): string => prefix + randomBytes(32).toString('base64url');

/** What the store keeps of a secret: its SHA-256 (the secret has 256 bits, so no salt or stretching is needed). */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
