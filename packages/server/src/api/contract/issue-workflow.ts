/** Triage: assignees and the activity history of an issue (docs/triage.md). */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './common.js';

export const Assignee = Type.Object({ id: Type.Integer(), email: Type.String(), name: Type.String() }, { description: 'A user of this install' });

export const AssignTo = Type.Union([Type.String({ maxLength: 320 }), Type.Null()], {
  description: 'Who to assign to: an e-mail, "user:ID", "me", or null / "" to unassign',
});

export const ActivityKind = StringEnum(['status', 'assigned', 'unassigned', 'merged', 'merged_into', 'unmerged', 'regression', 'resolved_in_release', 'first_seen'] as const);

export const ActivityEntry = Type.Object({
  id: Type.Integer(),
  issueId: Type.Integer(),
  kind: ActivityKind,
  at: Type.String({ format: 'date-time' }),
  actorUserId: Type.Union([Type.Integer(), Type.Null()]),
  actor: Type.String({ description: 'Who did it: an e-mail, or a token name; empty for what the server records itself (first_seen, regression)' }),
  data: Type.Record(Type.String(), Type.Unknown(), {
    description: 'status: {status}; assigned: {assignee}; merged: {issueIds}; regression: {reason: "event" | "release", release}; first_seen: {release}',
  }),
});

export const BulkUpdateResult = Type.Object({
  status: Type.Optional(StringEnum(['unresolved', 'resolved', 'ignored'] as const)),
  assignedTo: Type.Optional(Type.Union([Assignee, Type.Null()])),
  merge: Type.Optional(Type.Object({ parent: Type.Integer(), children: Type.Array(Type.Integer()) }, { description: 'The issue merged into, and the issues merged' })),
  updated: Type.Integer({ description: 'How many issues changed (their status when one was sent, else their assignee; merged issues for a merge)' }),
});

export type Assignee = Static<typeof Assignee>;
export type ActivityEntry = Static<typeof ActivityEntry>;

export const IssueHash = Type.Object({
  id: Type.String({ description: 'The fingerprint (Sentry calls it a hash)' }),
  groupingVersion: Type.String(),
  issueId: Type.Integer({ description: 'The issue this fingerprint created' }),
  events: Type.Integer({ description: 'Its events in this issue' }),
  merged: Type.Boolean({ description: 'True for a fingerprint merged in from another issue' }),
});
export const UnmergeResult = Type.Object({ unmerged: Type.Array(Type.Integer(), { description: 'The issues given back their events' }) });
