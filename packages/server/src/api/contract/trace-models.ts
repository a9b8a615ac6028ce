/** Traces, spans and logs as the API answers them (seed 004, docs/traces.md). */
import { Type, type Static } from '@sinclair/typebox';

const Time = Type.String({ format: 'date-time' });
const NullableString = Type.Union([Type.String(), Type.Null()]);
const StringMap = Type.Record(Type.String(), Type.String());

export const TraceSummary = Type.Object({
  traceId: Type.String(),
  projectId: Type.Integer(),
  name: NullableString,
  status: Type.Union([Type.Literal('OK'), Type.Literal('ERROR'), Type.Literal('UNSET')]),
  timestamp: Time,
  timestampMs: Type.Number(),
  executionTimeMs: Type.Number(),
  spanCount: Type.Integer(),
  tags: StringMap,
  metadata: StringMap,
});

const SpanFields = {
  spanId: Type.String(),
  parentSpanId: NullableString,
  name: Type.String(),
  op: NullableString,
  status: Type.Union([Type.Literal('ok'), Type.Literal('error'), Type.Literal('unset')]),
  startMs: Type.Number(),
  endMs: Type.Number(),
  durationMs: Type.Number(),
  offsetMs: Type.Number({ description: 'Start relative to the trace start' }),
  depth: Type.Integer(),
  data: Type.Record(Type.String(), Type.Unknown()),
};
// Children have this same shape; described, not nested recursively, so the OpenAPI document needs
// no self-reference (which some OpenAPI tools cannot follow).
export const SpanNode = Type.Object({
  ...SpanFields,
  children: Type.Array(Type.Unknown(), { description: 'Child spans, each a SpanNode, by start time' }),
});

export const LogRecord = Type.Object({
  timestamp: Time,
  timestampMs: Type.Number(),
  level: Type.String(),
  severity: Type.Union([Type.Integer(), Type.Null()]),
  body: Type.String(),
  traceId: NullableString,
  spanId: NullableString,
  attributes: Type.Record(Type.String(), Type.Unknown()),
});

export const TraceError = Type.Object({
  eventId: Type.String(),
  issueId: Type.Integer(),
  timestamp: Time,
  title: Type.String(),
  culprit: Type.String(),
  level: Type.String(),
});

export const TraceDetail = Type.Object({
  ...TraceSummary.properties,
  startMs: Type.Number(),
  endMs: Type.Number(),
  otherProjects: Type.Array(Type.Integer(), { description: 'Other projects (visible to the token) that hold spans of the trace' }),
  spans: Type.Array(SpanNode),
  errors: Type.Array(TraceError),
  logs: Type.Array(LogRecord),
});

export const TraceTagResult = Type.Object({ traceId: Type.String(), key: Type.String(), value: Type.String() });
export const BatchTagResult = Type.Object({
  matched: Type.Integer({ description: 'Traces that matched the filter' }),
  set: StringMap,
  deleted: Type.Array(Type.String()),
});

export type TraceSummary = Static<typeof TraceSummary>;
export type SpanNode = Omit<Static<typeof SpanNode>, 'children'> & { children: SpanNode[] };
export type LogRecord = Static<typeof LogRecord>;
export type TraceError = Static<typeof TraceError>;
export type TraceDetail = Omit<Static<typeof TraceDetail>, 'spans'> & { spans: SpanNode[] };
