/**
 * Reading a raw route or query parameter where no schema has validated it yet (the authorization
 * helpers run before some routes' schemas, and for routes that have none).
 */
import { HttpError } from '../errors.js';

export function idParam(value: unknown, what: string): number {
  const text = String(value ?? '');
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id <= 0) throw new HttpError(404, 'not_found', `${what} not found`);
  return id;
}

export function limitParam(value: unknown, fallback: number, max = 100): number {
  if (value === undefined || value === '') return fallback;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new HttpError(400, 'invalid_parameter', `limit must be an integer from 1 to ${max}`);
  }
  return limit;
}

export function stringParam(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new HttpError(400, 'invalid_parameter', `${name} must be given once, as text`);
  return value;
}
