/**
 * What the store holds on disk, for privacy checks: the database and WAL files as bytes, and
 * every stored replay segment inflated.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import Database from 'better-sqlite3';

export function storedFiles(dataDir: string): Buffer[] {
  return readdirSync(dataDir).filter((f) => f.startsWith('proliferate.sqlite3')).map((f) => readFileSync(join(dataDir, f)));
}

export function storedSegments(dataDir: string): Array<{ segmentId: number; json: string }> {
  const db = new Database(join(dataDir, 'proliferate.sqlite3'), { readonly: true });
  try {
    const rows = db.prepare('SELECT segment_id, recording FROM replay_segments ORDER BY replay_row, segment_id').all() as Array<{ segment_id: number; recording: Buffer }>;
    return rows.map((r) => ({ segmentId: r.segment_id, json: inflateSync(r.recording).toString('utf8') }));
  } finally {
    db.close();
  }
}

/** True when `needle` appears in `haystack` as UTF-8 or UTF-16 (how SQLite might hold text). */
export function containsText(haystack: Buffer, needle: string): boolean {
  return haystack.includes(Buffer.from(needle, 'utf8')) || haystack.includes(Buffer.from(needle, 'utf16le'));
}
