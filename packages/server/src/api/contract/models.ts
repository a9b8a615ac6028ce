/**
 * The JSON the API answers, as schemas: the OpenAPI document is generated from them, the server's
 * handlers are type-checked against them, and the dashboard and the tests import their types.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './common.js';
import { Assignee } from './issue-workflow.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const Time = Type.String({ format: 'date-time' });

export const IssueStatus = StringEnum(['unresolved', 'resolved', 'ignored'] as const);

export const Project = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  name: Type.String(),
  publicKey: Type.String(),
  createdAt: Time,
  dsn: Type.String({ description: 'The DSN to give an SDK' }),
  description: Type.Optional(Type.String({ description: 'Project settings (docs/teams.md)' })),
  platform: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  repository: Type.Optional(
    Type.Union([Type.Object({ url: Type.String({ description: 'https URL of a GitHub, GitLab or Bitbucket repository' }), defaultBranch: Type.String() }), Type.Null()], {
      description: 'The linked repository: in-app stack frames link to it',
    }),
  ),
});

export const ProjectKey = Type.Object({
  projectId: Type.Integer(),
  publicKey: Type.String(),
  label: Type.String(),
  createdAt: Time,
  dsn: Type.String(),
});

export const Issue = Type.Object({
  id: Type.Integer(),
  projectId: Type.Integer(),
  title: Type.String(),
  culprit: Type.String({ description: 'Where the error happened (a function or route); empty when unknown' }),
  type: Type.String(),
  level: Type.String(),
  fingerprint: Type.String(),
  groupingVersion: Type.String(),
  status: IssueStatus,
  isRegressed: Type.Boolean(),
  count: Type.Integer(),
  userCount: Type.Integer(),
  accountCount: Type.Integer(),
  firstSeen: Time,
  lastSeen: Time,
  firstRelease: Nullable(Type.String()),
  lastRelease: Nullable(Type.String()),
  environments: Type.Array(Type.String()),
  assignedTo: Type.Union([Assignee, Type.Null()], { description: 'Who the issue is assigned to (docs/triage.md)' }),
  mergedInto: Type.Union([Type.Integer(), Type.Null()], { description: 'The issue this one was merged into; null for a live issue' }),
  stats: Type.Optional(Type.Array(Type.Integer(), { description: 'Events per bucket, when asked with statsPeriod' })),
  filtered: Type.Optional(
    Type.Object(
      { count: Type.Integer({ description: 'Events of the issue that match the search' }) },
      { description: 'Issue list with a search on event fields (tags, ids, time): the count of matching events beside the lifetime count' },
    ),
  ),
  statusDetails: Type.Optional(
    Type.Object(
      {
        inRelease: Type.Optional(Nullable(Type.String())),
        inNextRelease: Type.Optional(Type.Boolean()),
        afterRelease: Type.Optional(Nullable(Type.String())),
      },
      { description: 'How the issue is resolved by release (issue detail only): {inRelease} or {inNextRelease, afterRelease}' },
    ),
  ),
});

export const EventSummary = Type.Object({
  eventId: Type.String(),
  issueId: Type.Integer(),
  projectId: Type.Integer(),
  timestamp: Time,
  received: Time,
});

/** An event's own payload (as sent, normalised) is open-ended; these fields are always there. */
export const Event = Type.Object(
  {
    ...EventSummary.properties,
    title: Type.String(),
    culprit: Type.String(),
    type: Type.String(),
    grouping: Type.Object({
      version: Type.String(),
      fingerprint: Type.String(),
      source: Type.String(),
      rule: Type.Optional(
        Type.Object(
          { line: Type.Integer(), text: Type.String(), title: Type.Optional(Type.String()) },
          { description: "The project's fingerprint rule that grouped this event when it arrived (docs/grouping.md#fingerprint-rules)" },
        ),
      ),
    }),
    previousEventId: Type.Optional(Nullable(Type.String())),
    nextEventId: Type.Optional(Nullable(Type.String())),
  },
  { additionalProperties: true },
);

export const TagValue = Type.Object({
  value: Type.String(),
  count: Type.Integer(),
  percentage: Type.Number({ description: 'Share of the issue’s events, 0 to 100' }),
  users: Type.Optional(Type.Integer()),
  firstSeen: Type.Optional(Time),
  lastSeen: Type.Optional(Time),
});

export const TagDistribution = Type.Object({ key: Type.String(), totalValues: Type.Integer(), topValues: Type.Array(TagValue) });
export const ProjectTagKey = Type.Object({ key: Type.String(), uniqueValues: Type.Integer() });
export const ProjectTagValue = Type.Object({ value: Type.String(), count: Type.Integer(), issues: Type.Integer() });

const Bucket = Type.Object({ start: Time, count: Type.Integer() });
export const Stats = Type.Object({ interval: Type.String(), from: Time, to: Time, buckets: Type.Array(Bucket) });
export const TagStats = Type.Object({
  key: Type.String(),
  interval: Type.String(),
  from: Time,
  to: Time,
  series: Type.Array(Type.Object({ value: Type.String(), buckets: Type.Array(Bucket) })),
});

const ValueFigures = {
  value: Type.String(),
  events: Type.Integer(),
  issues: Type.Integer(),
  users: Type.Integer(),
  percentage: Type.Number(),
};
export const TagValueDistribution = Type.Object({
  key: Type.String(),
  totalEvents: Type.Integer(),
  values: Type.Array(Type.Object(ValueFigures)),
  withoutKey: Type.Union([Type.Integer(), Type.Null()], { description: 'Events in scope without the key, when every value fits in the answer' }),
});
export const TagComparison = Type.Object({
  key: Type.String(),
  totalEvents: Type.Integer(),
  transactionsNotFilteredBy: Type.Array(Type.String(), { description: 'Conditions of the query that transactions carry no value for (free text, level, is:): not applied to them' }),
  variants: Type.Array(Type.Object({ ...ValueFigures, transactions: Type.Integer(), errorRate: Type.Union([Type.Number(), Type.Null()]) })),
});
export const TagCorrelation = Type.Object({
  issueId: Type.Integer(),
  window: Type.Object({ from: Time, to: Time }),
  issueEvents: Type.Integer(),
  baselineEvents: Type.Integer(),
  values: Type.Array(
    Type.Object({
      key: Type.String(),
      value: Type.String(),
      issueEvents: Type.Integer(),
      issueShare: Type.Number(),
      baselineEvents: Type.Integer(),
      baselineShare: Type.Number(),
      lift: Type.Union([Type.Number(), Type.Null()]),
      z: Type.Union([Type.Number(), Type.Null()]),
      pValue: Type.Union([Type.Number(), Type.Null()]),
      significant: Type.Boolean(),
    }),
  ),
});

export const BulkStatusResult = Type.Object({ status: IssueStatus, updated: Type.Integer() });

export type IssueStatus = Static<typeof IssueStatus>;
export type Project = Static<typeof Project>;
export type ProjectKey = Static<typeof ProjectKey>;
export type Issue = Static<typeof Issue>;
export type EventSummary = Static<typeof EventSummary>;
export type Event = Static<typeof Event>;
export type TagValue = Static<typeof TagValue>;
export type TagDistribution = Static<typeof TagDistribution>;
export type ProjectTagKey = Static<typeof ProjectTagKey>;
export type ProjectTagValue = Static<typeof ProjectTagValue>;
export type Stats = Static<typeof Stats>;
export type TagStats = Static<typeof TagStats>;
export type TagValueDistribution = Static<typeof TagValueDistribution>;
export type TagComparison = Static<typeof TagComparison>;
export type TagCorrelation = Static<typeof TagCorrelation>;
