/**
 * The storage contract for releases, deploys, source-map artifacts and resolution by release
 * (issue 14). `Store` extends it; each backend implements it in its own release/artifact files.
 */

export interface Deploy {
  id: number;
  environment: string;
  name: string | null;
  url: string | null;
  dateStarted: string | null;
  dateFinished: string;
}

export interface Release {
  id: number;
  projectId: number;
  version: string;
  /** When the release was created: explicitly, or by the first event that named it. */
  createdAt: string;
  /** Finalized ("date released"); null while unreleased. */
  dateReleased: string | null;
  commitSha: string | null;
  repositoryUrl: string | null;
  url: string | null;
}

/** A release with what its events say: counts come from the tag tables, so they never scan events. */
export interface ReleaseSummary extends Release {
  firstEvent: string | null;
  lastEvent: string | null;
  eventCount: number;
  newIssues: number;
  users: number;
  deploys: Deploy[];
}

export interface ReleaseInput {
  version: string;
  dateReleased?: number | null;
  commitSha?: string | null;
  repositoryUrl?: string | null;
  url?: string | null;
}

export interface DeployInput {
  environment: string;
  name?: string | null;
  url?: string | null;
  dateStarted?: number | null;
  dateFinished?: number | null;
}

/** One file of an artifact bundle as its manifest describes it. */
export interface ArtifactFileInput {
  url: string;
  type: string;
  debugId: string | null;
  sourcemapUrl: string | null;
  content: Uint8Array;
}

export interface ArtifactBundleInput {
  projectId: number;
  checksum: string;
  release: string | null;
  dist: string | null;
  size: number;
  files: ArtifactFileInput[];
}

export interface ArtifactBundle {
  id: number;
  projectId: number;
  checksum: string;
  release: string | null;
  dist: string | null;
  size: number;
  fileCount: number;
  createdAt: string;
}

export interface ArtifactFile {
  id: number;
  bundleId: number;
  url: string;
  type: string;
  debugId: string | null;
  sourcemapUrl: string | null;
  content: Uint8Array;
}

export type IssueResolution = { kind: 'release'; version: string } | { kind: 'next_release' };

/** How an issue is resolved by release, as issues show it. */
export interface IssueReleaseResolution {
  kind: 'release' | 'next_release';
  /** The release it is fixed in, or for `next_release` the latest release when it was resolved. */
  version: string | null;
}

export interface ReleaseStore {
  /** Creates the release, or updates the given fields of an existing one; returns it. */
  upsertRelease(projectId: number, input: ReleaseInput): Promise<Release>;
  /** The release id for a version named by an event, creating the release at `seenAt` if new. */
  ensureRelease(projectId: number, version: string, seenAt: number): Promise<number>;
  getRelease(projectId: number, version: string): Promise<ReleaseSummary | undefined>;
  /** Newest first (creation order). */
  listReleases(projectId: number, limit: number, query?: string): Promise<ReleaseSummary[]>;
  addDeploy(projectId: number, version: string, input: DeployInput): Promise<Deploy | undefined>;
  listDeploys(projectId: number, version: string): Promise<Deploy[] | undefined>;

  /**
   * Marks the issue resolved in a release (or in the release after the latest one). Events of
   * later releases reopen it as regressed (reopenRegressions); events of that release or older do not.
   */
  resolveIssueInRelease(issueId: number, resolution: IssueResolution): Promise<IssueReleaseResolution | undefined>;
  issueResolution(issueId: number): Promise<IssueReleaseResolution | null>;
  /**
   * For events just written: reopens (as regressed) the issues resolved by release that an event
   * of a later release reached. Returns the reopened issue ids.
   */
  reopenRegressions(hits: Array<{ issueId: number; releaseId: number | null }>): Promise<number[]>;
  /** Issue ids resolved by release, with the id of the newest release that does not reopen them. */
  releaseResolvedIssues(): Promise<Map<number, number>>;

  /** Chunks of an upload (sha1 hex -> bytes); already present ones are kept. */
  putChunks(chunks: Array<{ checksum: string; data: Uint8Array }>): Promise<void>;
  /** Which of these checksums are not stored. */
  missingChunks(checksums: string[]): Promise<string[]>;
  /** The chunks' bytes in the given order; undefined if any is missing. */
  readChunks(checksums: string[]): Promise<Uint8Array[] | undefined>;
  deleteChunks(checksums: string[]): Promise<void>;

  findBundle(projectId: number, checksum: string): Promise<ArtifactBundle | undefined>;
  /**
   * Stores a bundle and its files; the oldest bundles of the project are dropped while its total
   * size exceeds `maxProjectBytes`. A bundle already stored (same checksum) is returned as is.
   */
  saveBundle(input: ArtifactBundleInput, maxProjectBytes: number): Promise<ArtifactBundle>;
  listBundles(projectId: number, limit: number): Promise<ArtifactBundle[]>;
  /** The newest file of a type carrying this debug id. */
  artifactByDebugId(projectId: number, debugId: string, type: string): Promise<ArtifactFile | undefined>;
  /** The newest file with one of these URLs in a release (and dist, when given). */
  artifactByUrl(projectId: number, release: string, dist: string | null, urls: string[]): Promise<ArtifactFile | undefined>;
  /** Ids of the issues first seen in a release, newest first. */
  releaseNewIssueIds(projectId: number, version: string, limit: number): Promise<number[]>;
  /** Release files (the older flow): files of bundles tied to the release. */
  listReleaseFiles(projectId: number, version: string): Promise<Array<Omit<ArtifactFile, 'content'> & { size: number }>>;
  /** Whether the project has any artifact at all: events of projects without are never looked at. */
  projectsWithArtifacts(): Promise<Set<number>>;
}
