/** Opaque keyset cursors: the sort value and id of the last row, base64url JSON. */
export function encodeCursor(sortValue: number | string, id: number): string {
  return Buffer.from(JSON.stringify([sortValue, id])).toString('base64url');
}

export function decodeCursor(cursor: string): { sortValue: number | string; id: number } | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      (typeof parsed[0] === 'number' || typeof parsed[0] === 'string') &&
      Number.isInteger(parsed[1])
    ) {
      return { sortValue: parsed[0], id: parsed[1] as number };
    }
  } catch {
    // fall through: an unreadable cursor is a client error, reported by the caller
  }
  return null;
}
