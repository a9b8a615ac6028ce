/** Comments, snoozes and saved searches (docs/triage.md). */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './common.js';

const Time = Type.String({ format: 'date-time' });
const NullableInt = Type.Union([Type.Integer(), Type.Null()]);

export const COMMENT_MAX = 10_000;

export const IssueComment = Type.Object({
  id: Type.Integer(),
  issueId: Type.Integer(),
  userId: NullableInt,
  author: Type.String({ description: "The team member's name (or the token's label)" }),
  text: Type.String(),
  createdAt: Time,
  updatedAt: Type.Union([Time, Type.Null()]),
});
export const CommentBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: COMMENT_MAX, description: 'Plain text, shown as text (never as HTML)' }) });

export const SnoozeBody = Type.Object(
  {
    minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 525_600, description: 'Ignore for this many minutes (at most a year)' })),
    until: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Ignore until this time' })),
    events: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Ignore until this many more events arrive' })),
    users: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Ignore until this many more users are affected' })),
  },
  { description: 'At least one condition; the first one met sets the issue back to unresolved' },
);
export const IssueSnooze = Type.Object({
  issueId: Type.Integer(),
  until: Type.Union([Time, Type.Null()]),
  events: NullableInt,
  users: NullableInt,
  baseCount: Type.Integer({ description: 'The issue’s event count when it was snoozed' }),
  baseUsers: Type.Integer(),
  remainingEvents: NullableInt,
  remainingUsers: NullableInt,
  createdAt: Time,
  createdBy: Type.String(),
});

export const SavedSearchVisibility = StringEnum(['private', 'shared'] as const, { description: 'private: only you see it; shared: the whole project' });
export const SavedSearch = Type.Object({
  id: Type.Integer(),
  projectId: Type.Integer(),
  name: Type.String(),
  query: Type.String(),
  sort: Type.Union([Type.String(), Type.Null()]),
  visibility: SavedSearchVisibility,
  pinned: Type.Boolean({ description: 'Shown as a tab on the issue list' }),
  position: Type.Integer(),
  createdBy: Type.String(),
  mine: Type.Boolean({ description: 'Whether the caller saved it (and may change it)' }),
  createdAt: Time,
});
const SearchFields = {
  name: Type.String({ minLength: 1, maxLength: 80 }),
  query: Type.String({ maxLength: 2000, description: 'A search in the key:value language' }),
  sort: Type.Optional(Type.Union([StringEnum(['date', 'new', 'freq', 'users'] as const), Type.Null()])),
  visibility: Type.Optional(SavedSearchVisibility),
  pinned: Type.Optional(Type.Boolean()),
};
export const SavedSearchBody = Type.Object(SearchFields);
export const SavedSearchPatch = Type.Object({
  name: Type.Optional(SearchFields.name),
  query: Type.Optional(SearchFields.query),
  sort: SearchFields.sort,
  visibility: SearchFields.visibility,
  pinned: SearchFields.pinned,
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
});

export type IssueComment = Static<typeof IssueComment>;
export type IssueSnooze = Static<typeof IssueSnooze>;
export type SavedSearch = Static<typeof SavedSearch>;
