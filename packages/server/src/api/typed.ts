import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';

/** The Fastify instance of a route plugin, typed by its route schemas (see README.md). */
export type TypedApp = FastifyInstance extends FastifyInstance<infer S, infer Req, infer Res, infer L> ? FastifyInstance<S, Req, Res, L, TypeBoxTypeProvider> : never;

export const typed = (app: FastifyInstance): TypedApp => app.withTypeProvider<TypeBoxTypeProvider>();
