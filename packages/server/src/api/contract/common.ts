/**
 * Building blocks of the route schemas: the error body, ids in paths, and the query parameters many
 * routes share. Fastify validates requests against these (Ajv) and @fastify/swagger publishes them.
 */
import { Type, type TSchema } from '@sinclair/typebox';

export const ErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ description: 'Stable machine-readable code, e.g. invalid_body' }),
        message: Type.String({ description: 'What is wrong, in words' }),
        field: Type.Optional(Type.String({ description: 'The request field that failed validation, e.g. body.status' })),
      },
      { additionalProperties: true },
    ),
  },
  { description: 'Every 4xx and 5xx answer has this shape' },
);

/** A positive database id in a path (`/projects/{projectId}/`). */
export const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export const ProjectParams = Type.Object({ projectId: Id });
export const IssueParams = Type.Object({ issueId: Id });

/** `limit` with its default and upper bound. */
export const Limit = (fallback: number, max: number) =>
  Type.Optional(Type.Integer({ minimum: 1, maximum: max, default: fallback, description: `Page size, 1 to ${max} (default ${fallback})` }));

export const Cursor = Type.Optional(Type.String({ maxLength: 200, description: 'The cursor of the next page, from the Link or X-Next-Cursor header' }));

/** The search parameters of list and analytics routes (see docs/search.md). */
export const SearchQuery = {
  query: Type.Optional(Type.String({ maxLength: 2000, description: 'Search in the key:value language, e.g. tier:enterprise is:unresolved' })),
  environment: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50, description: 'One or several environments (repeat the parameter)' })),
};

export const TimeWindowQuery = {
  period: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}[mhdw]$', description: 'A window ending now: 30m, 24h, 14d, 2w' })),
  start: Type.Optional(Type.String({ maxLength: 40, description: 'ISO time (with end, instead of period)' })),
  end: Type.Optional(Type.String({ maxLength: 40, description: 'ISO time' })),
};

/** Error answers every authenticated route can give. */
export const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((status) => [status, ErrorBody])) as Record<number, typeof ErrorBody>;

export type Schema = TSchema;

/**
 * A string from a fixed list, as a JSON Schema `enum` (Ajv then answers "must be equal to one of
 * the allowed values" with the list, where a union of literals would say only "must be equal to
 * constant").
 */
export const StringEnum = <const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
