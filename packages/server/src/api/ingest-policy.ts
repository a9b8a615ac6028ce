/**
 * A project's ingest policy (rate limits, spike protection, inbound filters, scrubbing rules) and
 * what ingest dropped or SDKs reported dropping (outcomes). Reading needs access to the project;
 * changing needs an admin. A change applies in this process at once, in others within 5 s.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { audit } from '../accounts/audit.js';
import type { QuotaConfig } from '../config.js';
import { HttpError } from '../errors.js';
import type { IngestPolicies } from '../ingest/policy/policy-cache.js';
import { unsafePatternReason } from '../ingest/policy/scrub.js';
import { DEFAULT_POLICY, type IngestPolicy } from '../store/ingest-policy-types.js';
import type { Store } from '../store/types.js';
import { requireProject } from './auth.js';
import { errors, ProjectParams } from './contract/common.js';
import { IngestPolicyAnswer, IngestPolicySchema, OutcomeStats, type IngestPolicyBody } from './contract/ingest-policy.js';
import { parseDuration } from './stats-range.js';

const HOUR = 3_600_000;
const MAX_PERIOD = 90 * 24 * HOUR;

export interface IngestPolicyRouteOptions {
  store: Store;
  policies: IngestPolicies;
  quotas: QuotaConfig;
  /** Writes pending outcome counts, so a read sees every drop so far. */
  flushOutcomes: () => Promise<void>;
}

export async function ingestPolicyRoutes(app: FastifyInstance, options: IngestPolicyRouteOptions) {
  const { store, policies, quotas } = options;
  const answer = (policy: IngestPolicy) => ({
    policy,
    serverDefaults: {
      rateLimit: quotas.perMinute > 0 ? { perMinute: quotas.perMinute, burst: quotas.burst } : null,
      spikeProtection: quotas.spikeProtection,
      spikeMultiplier: quotas.spikeMultiplier,
      spikeFloorPerMinute: quotas.spikeFloorPerMinute,
    },
  });

  app.get(
    '/api/0/projects/:projectId/ingest-policy/',
    { schema: { tags: ['projects'], summary: "The project's rate limits, inbound filters and scrubbing rules", params: ProjectParams, response: { 200: IngestPolicyAnswer, ...errors(400, 401, 404) } } },
    async (request) => {
      const { project } = await requireProject(request, store);
      return answer((await store.getIngestPolicy(project.id)) ?? DEFAULT_POLICY);
    },
  );

  app.put(
    '/api/0/projects/:projectId/ingest-policy/',
    {
      config: { role: 'admin' },
      schema: { tags: ['projects'], summary: 'Replace the project\'s rate limits, inbound filters and scrubbing rules (admins)', params: ProjectParams, body: IngestPolicySchema, response: { 200: IngestPolicyAnswer, ...errors(400, 401, 403, 404) } },
    },
    async (request) => {
      const { project } = await requireProject(request, store, undefined, { role: 'admin' });
      const body = request.body as IngestPolicyBody;
      body.scrubbing.extraPatterns.forEach((pattern, i) => {
        const reason = unsafePatternReason(pattern);
        if (reason) throw new HttpError(400, 'invalid_body', `scrubbing.extraPatterns[${i}] ${reason}`, {}, { field: `body.scrubbing.extraPatterns[${i}]` });
      });
      const keys = new Set((await store.listProjectKeys(project.id)).map((k) => k.publicKey));
      for (const key of Object.keys(body.keyRateLimits)) {
        if (!keys.has(key)) throw new HttpError(400, 'invalid_body', `keyRateLimits names ${key}, which is not an active key of this project`, {}, { field: 'body.keyRateLimits' });
      }
      const policy: IngestPolicy = body;
      await store.putIngestPolicy(project.id, policy);
      policies.set(project.id, policy);
      await audit(store, request, 'project.ingest_policy_changed', project.slug, { fields: ['rateLimit', 'keyRateLimits', 'spikeProtection', 'filters', 'scrubbing'] });
      return answer(policy);
    },
  );

  app.get(
    '/api/0/projects/:projectId/outcomes/',
    {
      schema: {
        tags: ['projects'],
        summary: 'What ingest dropped (inbound filters, rate limits, spike protection) and what SDKs reported dropping (client reports), per hour',
        params: ProjectParams,
        querystring: Type.Object({ period: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}[mhdw]$', description: 'A window ending now, whole hours: 24h (default), 14d' })) }),
        response: { 200: OutcomeStats, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { project } = await requireProject(request, store);
      const periodMs = Math.min(parseDuration((request.query as { period?: string }).period ?? '24h', 'period'), MAX_PERIOD);
      const now = Date.now();
      const from = now - (now % HOUR) - Math.max(0, Math.ceil(periodMs / HOUR) - 1) * HOUR;
      await options.flushOutcomes();
      const rows = await store.listOutcomes(project.id, from);
      const totals = new Map<string, { outcome: (typeof rows)[number]['outcome']; reason: string; category: string; count: number }>();
      for (const row of rows) {
        const id = `${row.outcome}/${row.reason}/${row.category}`;
        const total = totals.get(id);
        if (total) total.count += row.count;
        else totals.set(id, { outcome: row.outcome, reason: row.reason, category: row.category, count: row.count });
      }
      return {
        from: new Date(from).toISOString(),
        totals: [...totals.values()].sort((a, b) => b.count - a.count),
        hours: rows.map((r) => ({ hour: new Date(r.hour).toISOString(), outcome: r.outcome, reason: r.reason, category: r.category, count: r.count })),
      };
    },
  );
}
