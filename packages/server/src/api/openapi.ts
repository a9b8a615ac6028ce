import type { SwaggerOptions } from '@fastify/swagger';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** The OpenAPI document served at /api/0/openapi.json, generated from every route's schema. */
export const openApiOptions: SwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'Proliferate API',
      version,
      description:
        'Query and manage issues, events, tags, traces and logs. Authenticate with an API token: ' +
        '`Authorization: Bearer pft_...` (create one with `proliferate token create`). Errors are ' +
        '`{"error": {"code", "message", "field"?}}`. Ingest (`/api/{projectId}/envelope/`) speaks the Sentry protocol.',
    },
    components: { securitySchemes: { token: { type: 'http', scheme: 'bearer' } } },
    security: [{ token: [] }],
  },
};
