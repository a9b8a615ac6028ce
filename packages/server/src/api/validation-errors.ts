import type { FastifySchemaValidationError } from 'fastify';
import { HttpError } from '../errors.js';

const PART: Record<string, string> = { body: 'body', querystring: 'query parameter', params: 'path parameter', headers: 'header' };

/**
 * A schema validation failure as our error body: `invalid_body` or `invalid_parameter`, a message
 * that names the field in words, and the field itself (`field: "status"`) for programs.
 */
export function validationError(errors: FastifySchemaValidationError[], context: string | undefined): HttpError {
  const first = errors[0]!;
  const params = (first.params ?? {}) as { missingProperty?: string; allowedValues?: unknown[] };
  // `actions/0/url` -> `actions[0].url`: the notation the messages of checks in code use too.
  const path = first.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
  const field = params.missingProperty ? (path ? `${path}.${params.missingProperty}` : params.missingProperty) : path;
  const part = PART[context ?? ''] ?? context ?? 'request';
  let message: string;
  if (params.missingProperty) message = `"${field}" is required in the ${part === 'body' ? 'body' : 'request'}`;
  else if (!field) message = `the ${part} ${first.message ?? 'is not valid'}`;
  else message = `${part} "${field}" ${first.message ?? 'is not valid'}`;
  if (params.allowedValues) message += `: ${params.allowedValues.join(', ')}`;
  const code = context === 'body' ? 'invalid_body' : 'invalid_parameter';
  return new HttpError(400, code, message, {}, field ? { field } : {});
}
