import { notifyInvalidation } from './listener.js';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ArtifactBundle, ArtifactBundleInput, ArtifactFile } from '../release-types.js';
import type { AllTables, ReleaseTables } from './release-tables.js';

type BundleRow = Selectable<ReleaseTables['artifact_bundles']>;
type FileRow = Selectable<ReleaseTables['artifact_files']>;

const toBundle = (b: BundleRow): ArtifactBundle => ({
  id: b.id,
  projectId: b.project_id,
  checksum: b.checksum,
  release: b.release,
  dist: b.dist,
  size: b.size,
  fileCount: b.file_count,
  createdAt: new Date(b.created_at).toISOString(),
});

const toFile = (f: FileRow): ArtifactFile => ({
  id: f.id,
  bundleId: f.bundle_id,
  url: f.url,
  type: f.type,
  debugId: f.debug_id,
  sourcemapUrl: f.sourcemap_url,
  content: f.content,
});

/** Any 32-bit number shared by every Proliferate process: "a project's artifact bundles are being changed". */
const BUNDLE_LOCK = 0x61727466; // "artf"

/**
 * Upload chunks, artifact bundles and their files (source maps and minified sources) on PostgreSQL:
 * sqlite/artifact-queries.ts with what several processes writing at once need.
 */
export class ArtifactQueries {
  constructor(private readonly db: Kysely<AllTables>) {}

  async putChunks(chunks: Array<{ checksum: string; data: Uint8Array }>): Promise<void> {
    if (chunks.length === 0) return;
    const now = Date.now();
    // One statement, rows in checksum order: two processes storing overlapping chunks take the
    // unique index entries in the same order, so neither waits on the other in a cycle.
    const unique = [...new Map(chunks.map((c) => [c.checksum, c])).values()].sort((a, b) => (a.checksum < b.checksum ? -1 : a.checksum > b.checksum ? 1 : 0));
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('upload_chunks')
        .values(unique.map((chunk) => ({ checksum: chunk.checksum, data: Buffer.from(chunk.data), created_at: now })))
        .onConflict((oc) => oc.column('checksum').doNothing())
        .execute();
      // Chunks never assembled (an aborted upload) are dropped after a day.
      await tx.deleteFrom('upload_chunks').where('created_at', '<', now - 86_400_000).execute();
    });
  }

  async missingChunks(checksums: string[]): Promise<string[]> {
    if (checksums.length === 0) return [];
    const present = new Set(
      (await this.db.selectFrom('upload_chunks').select('checksum').where('checksum', 'in', checksums).execute()).map((r) => r.checksum),
    );
    return [...new Set(checksums)].filter((c) => !present.has(c));
  }

  async readChunks(checksums: string[]): Promise<Uint8Array[] | undefined> {
    if (checksums.length === 0) return [];
    const rows = await this.db.selectFrom('upload_chunks').select(['checksum', 'data']).where('checksum', 'in', checksums).execute();
    const byChecksum = new Map(rows.map((r) => [r.checksum, r.data]));
    const out: Uint8Array[] = [];
    for (const checksum of checksums) {
      const data = byChecksum.get(checksum);
      if (!data) return undefined;
      out.push(data);
    }
    return out;
  }

  async deleteChunks(checksums: string[]): Promise<void> {
    if (checksums.length) await this.db.deleteFrom('upload_chunks').where('checksum', 'in', checksums).execute();
  }

  async findBundle(projectId: number, checksum: string): Promise<ArtifactBundle | undefined> {
    const row = await this.db.selectFrom('artifact_bundles').selectAll().where('project_id', '=', projectId).where('checksum', '=', checksum).executeTakeFirst();
    return row ? toBundle(row) : undefined;
  }

  async saveBundle(input: ArtifactBundleInput, maxProjectBytes: number): Promise<ArtifactBundle> {
    const existing = await this.findBundle(input.projectId, input.checksum);
    if (existing) return existing;
    const id = await this.db.transaction().execute(async (tx) => {
      // One writer of a project's bundles at a time (across processes): two uploads evicting at
      // once would each count the other's new bundle, and could drop more than the bound needs.
      await sql`SELECT pg_advisory_xact_lock(${BUNDLE_LOCK}, ${input.projectId})`.execute(tx);
      const inserted = await tx
        .insertInto('artifact_bundles')
        .values({
          project_id: input.projectId,
          checksum: input.checksum,
          release: input.release,
          dist: input.dist,
          size: input.size,
          file_count: input.files.length,
          created_at: Date.now(),
        })
        .onConflict((oc) => oc.columns(['project_id', 'checksum']).doNothing())
        .returning('id')
        .executeTakeFirst();
      // Another process stored the same bundle since findBundle: it is returned below as is.
      if (!inserted) return null;
      const { id } = inserted;
      for (const file of input.files) {
        await tx
          .insertInto('artifact_files')
          .values({
            bundle_id: id,
            project_id: input.projectId,
            url: file.url,
            type: file.type,
            debug_id: file.debugId,
            release: input.release,
            dist: input.dist,
            sourcemap_url: file.sourcemapUrl,
            size: file.content.byteLength,
            content: Buffer.from(file.content),
          })
          .execute();
      }
      await this.evictOldest(tx, input.projectId, id, maxProjectBytes);
      // Every process's symbolicator hears of the new maps when this commits (symbolicator.ts).
      await notifyInvalidation(tx, { kind: 'artifacts', projectId: input.projectId });
      return id;
    });
    const saved = await this.findBundle(input.projectId, input.checksum);
    if (!saved) throw new Error(`artifact bundle ${id ?? input.checksum} vanished after it was written`);
    return saved;
  }

  /** Drops the project's oldest bundles (never the new one) while the total is over the bound. */
  private async evictOldest(tx: Kysely<AllTables>, projectId: number, keepId: number, maxBytes: number): Promise<void> {
    const bundles = await tx.selectFrom('artifact_bundles').select(['id', 'size']).where('project_id', '=', projectId).orderBy('id', 'desc').execute();
    let total = 0;
    const drop: number[] = [];
    for (const bundle of bundles) {
      total += bundle.size;
      if (total > maxBytes && bundle.id !== keepId) drop.push(bundle.id);
    }
    if (drop.length === 0) return;
    await tx.deleteFrom('artifact_files').where('project_id', '=', projectId).where('bundle_id', 'in', drop).execute();
    await tx.deleteFrom('artifact_bundles').where('project_id', '=', projectId).where('id', 'in', drop).execute();
  }

  async listBundles(projectId: number, limit: number): Promise<ArtifactBundle[]> {
    const rows = await this.db.selectFrom('artifact_bundles').selectAll().where('project_id', '=', projectId).orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toBundle);
  }

  async artifactByDebugId(projectId: number, debugId: string, type: string): Promise<ArtifactFile | undefined> {
    const row = await this.db
      .selectFrom('artifact_files')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('debug_id', '=', debugId)
      .where('type', '=', type)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toFile(row) : undefined;
  }

  async artifactByUrl(projectId: number, release: string, dist: string | null, urls: string[]): Promise<ArtifactFile | undefined> {
    if (urls.length === 0) return undefined;
    let q = this.db
      .selectFrom('artifact_files')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('release', '=', release)
      .where('url', 'in', urls);
    q = dist === null ? q.where('dist', 'is', null) : q.where('dist', '=', dist);
    const row = await q.orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row ? toFile(row) : undefined;
  }

  async listReleaseFiles(projectId: number, version: string) {
    const rows = await this.db
      .selectFrom('artifact_files')
      .select(['id', 'bundle_id', 'url', 'type', 'debug_id', 'sourcemap_url', 'size'])
      .where('project_id', '=', projectId)
      .where('release', '=', version)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, bundleId: r.bundle_id, url: r.url, type: r.type, debugId: r.debug_id, sourcemapUrl: r.sourcemap_url, size: r.size }));
  }

  async projectsWithArtifacts(): Promise<Set<number>> {
    const rows = await this.db.selectFrom('artifact_bundles').select(sql<number>`DISTINCT project_id`.as('project_id')).execute();
    return new Set(rows.map((r) => r.project_id));
  }
}
