/**
 * Releases, deploys and source-map artifacts as the API answers them (Sentry's field names, so
 * sentry-cli reads them), and the bodies sentry-cli and the dashboard send.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './common.js';

const Time = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const NullableString = Nullable(Type.String());

/** A release version in a path or body; its grammar (no control characters, not "latest") is checked in code. */
export const Version = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'A release version, e.g. web@1.2.0 (1 to 200 characters)',
});

export const Deploy = Type.Object({
  id: Type.String(),
  environment: Type.String(),
  name: NullableString,
  url: NullableString,
  dateStarted: Nullable(Time),
  dateFinished: Time,
});

export const ReleaseProject = Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String() });

export const Release = Type.Object({
  version: Type.String(),
  shortVersion: Type.String({ description: 'The version, a commit SHA cut to 12 digits' }),
  dateCreated: Time,
  dateReleased: Type.Union([Time, Type.Null()], { description: 'When it was finalized; null while unreleased' }),
  firstEvent: Nullable(Time),
  lastEvent: Nullable(Time),
  newGroups: Type.Integer({ description: 'Issues first seen in this release' }),
  eventCount: Type.Integer(),
  userCount: Type.Integer(),
  commitSha: NullableString,
  repositoryUrl: NullableString,
  url: NullableString,
  deployCount: Type.Integer(),
  lastDeploy: Type.Union([Deploy, Type.Null()]),
  deploys: Type.Array(Deploy),
  projects: Type.Array(ReleaseProject),
});

export const ReleaseFile = Type.Object({
  id: Type.Integer(),
  bundleId: Type.Integer(),
  url: Type.String({ description: 'The file URL as uploaded, e.g. ~/app.min.js' }),
  type: Type.String({ description: 'minified_source or source_map' }),
  debugId: NullableString,
  sourcemapUrl: NullableString,
  size: Type.Integer(),
});

/** A release file as sentry-cli lists it (`releases files ... list`). */
export const SentryReleaseFile = Type.Object({
  id: Type.String(),
  name: Type.String(),
  size: Type.Integer(),
  headers: Type.Record(Type.String(), Type.String()),
  type: Type.String(),
});

/** A release file just uploaded by the older one-file-per-request flow. */
export const UploadedReleaseFile = Type.Object({
  id: Type.String(),
  name: Type.String(),
  dist: NullableString,
  size: Type.Integer(),
  sha1: Type.String(),
  headers: Type.Record(Type.String(), Type.String()),
});

export const ArtifactBundle = Type.Object({
  id: Type.Integer(),
  projectId: Type.Integer(),
  checksum: Type.String({ description: 'SHA-1 of the bundle' }),
  release: NullableString,
  dist: NullableString,
  size: Type.Integer(),
  fileCount: Type.Integer(),
  createdAt: Time,
});

/** What sentry-cli reads before uploading chunks. */
export const ChunkUploadOptions = Type.Object({
  url: Type.String(),
  chunkSize: Type.Integer(),
  chunksPerRequest: Type.Integer(),
  maxFileSize: Type.Integer(),
  maxRequestSize: Type.Integer(),
  maxWait: Type.Integer(),
  concurrency: Type.Integer(),
  hashAlgorithm: Type.String(),
  compression: Type.Array(Type.String()),
  accept: Type.Array(Type.String()),
});

export const AssembleResult = Type.Object({
  state: StringEnum(['ok', 'not_found', 'error'] as const, { description: 'not_found: upload missingChunks, then ask again' }),
  missingChunks: Type.Array(Type.String()),
  detail: NullableString,
});

// Null first in every nullable union: Fastify's Ajv coerces types, and tried first a string branch
// would turn sentry-cli's `"dateStarted": null` into "" (then refused as a date).
const Sha1 = Type.String({ pattern: '^[0-9a-fA-F]{40}$', description: 'SHA-1, 40 hexadecimal digits' });
/** Projects by slug (or id), as sentry-cli names them. */
const ProjectSlugs = Type.Array(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Integer()]), { maxItems: 100 });
/** ISO 8601 text or epoch seconds; null clears. */
const DateInput = Type.Union([Type.Null(), Type.String({ maxLength: 64 }), Type.Number()], {
  description: 'ISO 8601 date (or epoch seconds)',
});
const Text = (max: number) => Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: max, pattern: '^[^\\u0000-\\u001f]*$' })]));
const HttpUrl = Type.Optional(
  Type.Union([
    Type.Null(),
    Type.String({ maxLength: 2048, pattern: '^[hH][tT][tT][pP][sS]?://[^\\u0000-\\u001f]*$', description: 'An http(s) URL' }),
  ]),
);

export const AssembleBody = Type.Object({
  checksum: Sha1,
  chunks: Type.Array(Sha1, { maxItems: 10_000, description: 'The chunks in order, by SHA-1' }),
  projects: Type.Optional(Type.Union([Type.Null(), ProjectSlugs])),
  version: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 200 })])),
  dist: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 64 })])),
});

/**
 * A release create or update: Sentry's names (`dateReleased`, `url`, `refs` from `set-commits`)
 * plus `commit` and `repository`. Other fields sentry-cli sends (`commits`, `dateStarted`) are accepted
 * and ignored.
 */
export const ReleaseBody = Type.Object({
  version: Type.Optional(Version),
  projects: Type.Optional(Type.Union([Type.Null(), ProjectSlugs])),
  dateReleased: Type.Optional(DateInput),
  finalize: Type.Optional(Type.Boolean({ description: 'true marks the release released now (when no dateReleased is given)' })),
  commit: Text(64),
  commitSha: Text(64),
  repository: HttpUrl,
  repositoryUrl: HttpUrl,
  url: HttpUrl,
  refs: Type.Optional(
    Type.Array(
      Type.Object({ repository: Type.Optional(Type.String({ maxLength: 200 })), commit: Type.Optional(Type.String({ maxLength: 200 })) }),
      {
        maxItems: 100,
        description: 'sentry-cli set-commits: the last ref names the head commit',
      },
    ),
  ),
});

export const DeployBody = Type.Object({
  environment: Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\u0000-\\u001f]*$' }),
  name: Text(200),
  url: HttpUrl,
  dateStarted: Type.Optional(DateInput),
  dateFinished: Type.Optional(DateInput),
  projects: Type.Optional(Type.Union([Type.Null(), ProjectSlugs])),
});

/** Sentry's statusDetails of an issue update: how the issue is resolved by release. */
export const StatusDetails = Type.Object(
  {
    inNextRelease: Type.Optional(
      Type.Boolean({ description: 'Resolved until an event of a release created after the current latest one' }),
    ),
    inRelease: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Resolved in this release: an event of a later release reopens it' }),
    ),
  },
  { additionalProperties: true },
);

export type Deploy = Static<typeof Deploy>;
export type Release = Static<typeof Release>;
export type ReleaseFile = Static<typeof ReleaseFile>;
export type SentryReleaseFile = Static<typeof SentryReleaseFile>;
export type UploadedReleaseFile = Static<typeof UploadedReleaseFile>;
export type ArtifactBundle = Static<typeof ArtifactBundle>;
export type ChunkUploadOptions = Static<typeof ChunkUploadOptions>;
export type AssembleResult = Static<typeof AssembleResult>;
export type AssembleBody = Static<typeof AssembleBody>;
export type ReleaseBody = Static<typeof ReleaseBody>;
export type DeployBody = Static<typeof DeployBody>;
export type StatusDetails = Static<typeof StatusDetails>;
