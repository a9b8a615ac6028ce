/** Session replays as the API answers them (docs/replay.md). */
import { Type, type Static } from '@sinclair/typebox';

const Time = Type.String({ format: 'date-time' });
const NullableString = Type.Union([Type.String(), Type.Null()]);

/** A replay id in a path: 32 hexadecimal digits, dashes allowed (a UUID). */
export const ReplayId = Type.String({
  pattern: '^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$',
  description: '32 hexadecimal digits (dashes allowed)',
});

export const ReplayUser = Type.Object({
  id: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  username: Type.Optional(Type.String()),
  ipAddress: Type.Optional(Type.String()),
});

export const Replay = Type.Object({
  id: Type.String(),
  projectId: Type.Integer(),
  startedAt: Time,
  finishedAt: Time,
  duration: Type.Number({ description: 'Seconds from the first to the last recorded moment' }),
  segments: Type.Integer(),
  errorIds: Type.Array(Type.String(), { description: 'Event ids of the errors during the replay' }),
  traceIds: Type.Array(Type.String()),
  user: Type.Union([ReplayUser, Type.Null()]),
  urls: Type.Array(Type.String()),
  tags: Type.Record(Type.String(), Type.String()),
  replayType: NullableString,
  environment: NullableString,
  release: NullableString,
  platform: NullableString,
  sessionId: NullableString,
  windowId: NullableString,
  storedBytes: Type.Integer({ description: 'Compressed bytes stored for its segments' }),
  recordingBytes: Type.Integer({ description: 'Bytes of its rrweb JSON before compression' }),
});

/** One rrweb event; its payload is rrweb's, open-ended. */
export const RecordingEvent = Type.Object(
  { timestamp: Type.Number({ description: 'Epoch milliseconds' }) },
  { additionalProperties: true },
);

export type ReplayUser = Static<typeof ReplayUser>;
export type Replay = Static<typeof Replay>;
export type RecordingEvent = Static<typeof RecordingEvent>;
