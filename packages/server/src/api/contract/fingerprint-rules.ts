/** Schemas of a project's fingerprint rules (docs/grouping.md#fingerprint-rules). */
import { Type, type Static } from '@sinclair/typebox';

export const FingerprintRulesBody = Type.Object(
  {
    rules: Type.String({
      maxLength: 65_536,
      description: 'One rule per line: `matcher:value ... -> part, part [title="..."]`; `#` starts a comment; empty removes every rule. At most 64 KB and 500 rules.',
    }),
  },
  { additionalProperties: false },
);
export type FingerprintRulesBody = Static<typeof FingerprintRulesBody>;

export const FingerprintRulesAnswer = Type.Object({
  rules: Type.String({ description: 'The rules as written' }),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Last change; null when never set' }),
  parsed: Type.Array(
    Type.Object({
      line: Type.Integer(),
      text: Type.String(),
      fingerprint: Type.Array(Type.String(), { description: 'The parts, variables as {{ name }}' }),
      title: Type.Optional(Type.String()),
    }),
    { description: 'The rules in the order they are tried (the first that matches wins)' },
  ),
});
export type FingerprintRulesAnswer = Static<typeof FingerprintRulesAnswer>;
