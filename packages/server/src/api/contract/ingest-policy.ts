/** Schemas of a project's ingest policy (limits, inbound filters, scrubbing) and its outcome stats. */
import { Type, type Static } from '@sinclair/typebox';

const Glob = Type.String({ minLength: 1, maxLength: 200 });

export const RateLimitSchema = Type.Object(
  {
    perMinute: Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'Events per minute; 0 means no limit' }),
    burst: Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'Events accepted at once above the steady rate' }),
  },
  { additionalProperties: false },
);

export const IngestPolicySchema = Type.Object(
  {
    rateLimit: Type.Union([Type.Null(), RateLimitSchema], { description: "The project's limit; null takes the server-wide default" }),
    keyRateLimits: Type.Record(Type.String({ maxLength: 100 }), RateLimitSchema, { description: 'Limits of single keys, by public key' }),
    spikeProtection: Type.Union([Type.Null(), Type.Boolean()], { description: 'null takes the server-wide default' }),
    filters: Type.Object(
      {
        messagePatterns: Type.Array(Glob, { maxItems: 100, description: 'Globs (`*` = anything) matched against the message and `Type: value` of exceptions, without regard to case' }),
        releases: Type.Array(Glob, { maxItems: 100, description: 'Release globs, e.g. 1.2.*' }),
        environments: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 }),
        browserExtensions: Type.Boolean({ description: 'Drop errors raised by browser extensions and known extension noise' }),
      },
      { additionalProperties: false },
    ),
    scrubbing: Type.Object(
      {
        defaults: Type.Boolean({ description: 'The default rules: secrets by key name, card numbers (Luhn-checked), national ids, bearer credentials' }),
        extraKeys: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100, description: 'More key names to scrub (substrings, without regard to case)' }),
        extraPatterns: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50, description: 'Regular expressions whose matches are replaced in string values' }),
        dropIpAddresses: Type.Boolean({ description: "Never store the sender's or the user's IP address" }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type IngestPolicyBody = Static<typeof IngestPolicySchema>;

export const IngestPolicyAnswer = Type.Object({
  policy: IngestPolicySchema,
  serverDefaults: Type.Object({
    rateLimit: Type.Union([Type.Null(), RateLimitSchema]),
    spikeProtection: Type.Boolean(),
    spikeMultiplier: Type.Integer(),
    spikeFloorPerMinute: Type.Integer(),
  }),
});

const OutcomeRow = Type.Object({
  outcome: Type.Union([Type.Literal('filtered'), Type.Literal('rate_limited'), Type.Literal('client_discard')]),
  reason: Type.String(),
  category: Type.String(),
  count: Type.Integer(),
});

export const OutcomeStats = Type.Object({
  from: Type.String({ description: 'Start of the first hour counted (ISO 8601)' }),
  totals: Type.Array(OutcomeRow, { description: 'Counts over the whole period' }),
  hours: Type.Array(Type.Intersect([Type.Object({ hour: Type.String() }), OutcomeRow]), { description: 'Counts per hour' }),
});
