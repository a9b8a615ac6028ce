/**
 * A project's fingerprint rules (docs/grouping.md#fingerprint-rules): reading needs access to the
 * project, changing needs an admin. A text that does not parse is refused with the line and column
 * of the first error. A change applies to events received from then on: existing issues stay as
 * they are (as in Sentry). It applies in this process at once, in others when they hear of it.
 */
import type { FastifyInstance } from 'fastify';
import { audit } from '../accounts/audit.js';
import { FingerprintRuleSyntaxError, parseFingerprintRules, type FingerprintPart, type FingerprintRule } from '../digest/fingerprint-rules/parse.js';
import type { FingerprintRuleCache } from '../digest/fingerprint-rules/rule-cache.js';
import { HttpError } from '../errors.js';
import type { FingerprintRules } from '../store/fingerprint-rule-types.js';
import type { Store } from '../store/types.js';
import { requireProject } from './auth.js';
import { errors, ProjectParams } from './contract/common.js';
import { FingerprintRulesAnswer, FingerprintRulesBody } from './contract/fingerprint-rules.js';
import { typed } from './typed.js';

export interface FingerprintRuleRouteOptions {
  store: Store;
  fingerprintRules: FingerprintRuleCache;
}

const partText = (part: FingerprintPart) => (part.kind === 'literal' ? part.value : `{{ ${part.name === 'tags' ? `tags.${part.tagKey}` : part.name} }}`);
const describeRule = (rule: FingerprintRule) => ({ line: rule.line, text: rule.text, fingerprint: rule.fingerprint.map(partText), ...(rule.title !== undefined ? { title: rule.title } : {}) });

/** Parses the text or answers 400 naming where it is wrong. */
export function parseRulesOr400(text: string, field = 'body.rules'): FingerprintRule[] {
  try {
    return parseFingerprintRules(text);
  } catch (error) {
    if (!(error instanceof FingerprintRuleSyntaxError)) throw error;
    throw new HttpError(400, 'invalid_fingerprint_rules', `fingerprint rules, ${error.message}`, {}, { field, line: error.line, column: error.column, reason: error.reason });
  }
}

function answer(stored: FingerprintRules | undefined) {
  const text = stored?.rules ?? '';
  let parsed: ReturnType<typeof describeRule>[] = [];
  try {
    parsed = parseFingerprintRules(text).map(describeRule);
  } catch {
    // Stored before a stricter parser: shown as written, applied as none (rule-cache.ts).
  }
  return { rules: text, updatedAt: stored ? new Date(stored.updatedAt).toISOString() : null, parsed };
}

export async function fingerprintRuleRoutes(fastify: FastifyInstance, options: FingerprintRuleRouteOptions) {
  const app = typed(fastify);
  const { store, fingerprintRules } = options;

  app.get(
    '/api/0/projects/:projectId/fingerprint-rules/',
    { schema: { tags: ['projects'], summary: "The project's fingerprint rules (server-side grouping)", params: ProjectParams, response: { 200: FingerprintRulesAnswer, ...errors(400, 401, 404) } } },
    async (request) => {
      const { project } = await requireProject(request, store);
      return answer(await store.getFingerprintRules(project.id));
    },
  );

  app.put(
    '/api/0/projects/:projectId/fingerprint-rules/',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['projects'],
        summary: "Replace the project's fingerprint rules; new events only (admins)",
        params: ProjectParams,
        body: FingerprintRulesBody,
        response: { 200: FingerprintRulesAnswer, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { project } = await requireProject(request, store, undefined, { role: 'admin' });
      const rules = parseRulesOr400(request.body.rules);
      const stored = await store.putFingerprintRules(project.id, request.body.rules);
      fingerprintRules.set(stored);
      await audit(store, request, 'project.fingerprint_rules_changed', project.slug, { rules: rules.length });
      return answer(stored);
    },
  );
}
