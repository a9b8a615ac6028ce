/** Retention settings, deletion and GDPR erasure (docs/operations.md). */
import { Type, type Static } from '@sinclair/typebox';
import { Id } from './common.js';

// One schema type list rather than a union with null: the API's Ajv coerces types, and would turn
// a refused 0 into the null branch (reset to the default) instead of answering 400.
const Days = Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 1, maximum: 3650, description: 'Days data is kept; null uses the server-wide default' });
const Budget = Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 1_048_576, maximum: Number.MAX_SAFE_INTEGER, description: 'Bytes of stored data (at least 1 MiB); null for no budget' });

export const RetentionSettings = Type.Object({
  retentionDays: Days,
  storageBudgetBytes: Budget,
  defaultRetentionDays: Type.Integer({ description: 'The server-wide default (PROLIFERATE_RETENTION_DAYS)' }),
  effectiveRetentionDays: Type.Integer(),
  storageBytes: Type.Integer({ description: 'Estimated bytes of stored events and replays' }),
});
export type RetentionSettings = Static<typeof RetentionSettings>;

export const RetentionChange = Type.Object(
  {
    retentionDays: Type.Optional(Days),
    storageBudgetBytes: Type.Optional(Budget),
  },
  { additionalProperties: false },
);

export const DeletionResult = Type.Object({
  events: Type.Integer({ description: 'Events deleted' }),
});
export type DeletionResult = Static<typeof DeletionResult>;

export const ErasureRequest = Type.Object(
  {
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The `user.id` the SDK sent' })),
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 200, description: 'The `user.email` the SDK sent' })),
    projectIds: Type.Optional(Type.Array(Id, { maxItems: 1000, description: 'Only these projects (default: every project the caller administers)' })),
  },
  { additionalProperties: false },
);
export type ErasureRequest = Static<typeof ErasureRequest>;

export const ErasureResult = Type.Object({
  events: Type.Integer(),
  replays: Type.Integer(),
  projects: Type.Array(Type.Object({ id: Type.Integer(), events: Type.Integer(), replays: Type.Integer() })),
});
export type ErasureResult = Static<typeof ErasureResult>;
