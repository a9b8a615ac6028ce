import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import { decodeCursor } from '../store/cursor.js';

/** The last key of the previous page, from a cursor of a list paged by key. */
export function keyCursor(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  const decoded = decodeCursor(text);
  if (!decoded || typeof decoded.sortValue !== 'string') throw new HttpError(400, 'invalid_cursor', 'cursor is not one this list gave');
  return decoded.sortValue;
}

/** How many rows the previous pages held, from a cursor of a list paged by offset. */
export function offsetCursor(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  const decoded = decodeCursor(text);
  if (!decoded || typeof decoded.sortValue !== 'number' || !Number.isSafeInteger(decoded.sortValue) || decoded.sortValue < 0) {
    throw new HttpError(400, 'invalid_cursor', 'cursor is not one this list gave');
  }
  return decoded.sortValue;
}

/**
 * Cursor pagination the way Sentry's API does it: the body is the page, and a `Link` header names
 * the next page (also in `X-Next-Cursor` for clients that do not parse Link).
 */
export function sendPage<T>(request: FastifyRequest, reply: FastifyReply, items: T[], nextCursor: string | null): T[] {
  if (nextCursor) {
    const url = new URL(request.url, `${request.protocol}://${request.host}`);
    url.searchParams.set('cursor', nextCursor);
    reply.header('link', `<${url.toString()}>; rel="next"; results="true"; cursor="${nextCursor}"`);
    reply.header('x-next-cursor', nextCursor);
  }
  return items;
}

/** A store's "this cursor is not one of mine" (RangeError) as a 400 with the given code. */
export async function withCursor<T>(code: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof RangeError) throw new HttpError(400, code, error.message);
    throw error;
  }
}

export function publicUrl(request: FastifyRequest, configured: string | undefined): string {
  return configured ?? `${request.protocol}://${request.host}`;
}
