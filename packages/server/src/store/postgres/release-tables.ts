import type { Generated } from 'kysely';
import type { Tables } from './tables.js';

/**
 * Column types of the release, artifact and replay tables (schema.ts, migration 2), for Kysely.
 * Times are epoch ms. Unlike SQLite, deploys and replay segments carry project_id, so every table
 * that grows with data leads its key with the project (tables.ts).
 */
export type ReleaseTables = {
  releases: {
    id: Generated<number>;
    project_id: number;
    version: string;
    created_at: number;
    date_released: number | null;
    commit_sha: string | null;
    repository_url: string | null;
    url: string | null;
  };
  deploys: {
    id: Generated<number>;
    project_id: number;
    release_id: number;
    environment: string;
    name: string | null;
    url: string | null;
    date_started: number | null;
    date_finished: number;
  };
  upload_chunks: { checksum: string; data: Buffer; created_at: number };
  artifact_bundles: {
    id: Generated<number>;
    project_id: number;
    checksum: string;
    release: string | null;
    dist: string | null;
    size: number;
    file_count: number;
    created_at: number;
  };
  artifact_files: {
    id: Generated<number>;
    bundle_id: number;
    project_id: number;
    url: string;
    type: string;
    debug_id: string | null;
    release: string | null;
    dist: string | null;
    sourcemap_url: string | null;
    size: number;
    content: Buffer;
  };
};

export type AllTables = Tables & ReleaseTables;
