import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendNotification } from '../alerts/channels/index.js';
import { targetOf } from '../alerts/channels/types.js';
import { buildMessage } from '../alerts/message.js';
import { validateRule } from '../alerts/rule-validation.js';
import { HttpError } from '../errors.js';
import type { AlertRule } from '../store/alert-types.js';
import type { Issue, Store } from '../store/types.js';
import { assertProjectAccess, requireIssue, requireProject, requireToken } from './auth.js';
import { AlertDeliveries, AlertFiring, AlertRule as AlertRuleSchema, AlertRuleBody, AlertTestResult } from './contract/alerts.js';
import { errors, Id, IssueParams, Limit, ProjectParams } from './contract/common.js';
import { publicUrl } from './http.js';
import { typed } from './typed.js';

export interface AlertRouteOptions {
  store: Store;
  publicUrl?: string;
  smtpUrl?: string | null;
  emailFrom?: string | null;
  outboundAllowPrivate?: boolean;
}

/** A stand-in issue for "send test" on a project that has none yet. */
function sampleIssue(projectId: number): Issue {
  const now = new Date().toISOString();
  return {
    id: 0, projectId, title: 'TypeError: this is a test notification from Proliferate', culprit: 'checkout@app.js', type: 'error',
    level: 'error', fingerprint: '', groupingVersion: '', status: 'unresolved', isRegressed: false, count: 1, userCount: 1,
    accountCount: 0, firstSeen: now, lastSeen: now, firstRelease: null, lastRelease: null, environments: [], assignedTo: null, mergedInto: null,
  };
}

export async function alertRuleRoutes(fastify: FastifyInstance, options: AlertRouteOptions) {
  const app = typed(fastify);
  const { store } = options;
  const emailConfigured = Boolean(options.smtpUrl && options.emailFrom);
  const tags = ['alerts'];
  const RuleParams = Type.Object({ ruleId: Id });

  async function loadRule(request: FastifyRequest, ruleId: number): Promise<AlertRule> {
    const token = await requireToken(request, store);
    const rule = await store.getAlertRule(ruleId);
    if (!rule) throw new HttpError(404, 'not_found', 'alert rule not found');
    assertProjectAccess(token, rule.projectId, 'alert rule');
    return rule;
  }

  app.get(
    '/api/0/projects/:projectId/alert-rules/',
    { schema: { tags, summary: "List the project's alert rules", params: ProjectParams, response: { 200: Type.Array(AlertRuleSchema), ...errors(400, 401, 404) } } },
    async (request) => {
      const { project } = await requireProject(request, store, request.params.projectId);
      return store.listAlertRules(project.id);
    },
  );

  app.post(
    '/api/0/projects/:projectId/alert-rules/',
    {
      schema: {
        tags,
        summary: 'Create an alert rule',
        params: ProjectParams,
        body: AlertRuleBody,
        response: { 201: AlertRuleSchema, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { project } = await requireProject(request, store, request.params.projectId);
      const input = validateRule(request.body, { emailConfigured });
      reply.code(201);
      return store.createAlertRule(project.id, input);
    },
  );

  app.get(
    '/api/0/alert-rules/:ruleId/',
    { schema: { tags, summary: 'Read an alert rule', params: RuleParams, response: { 200: AlertRuleSchema, ...errors(400, 401, 403, 404) } } },
    async (request) => loadRule(request, request.params.ruleId),
  );

  app.put(
    '/api/0/alert-rules/:ruleId/',
    {
      schema: {
        tags,
        summary: 'Replace an alert rule',
        params: RuleParams,
        body: AlertRuleBody,
        response: { 200: AlertRuleSchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const rule = await loadRule(request, request.params.ruleId);
      const updated = await store.updateAlertRule(rule.id, validateRule(request.body, { emailConfigured }));
      if (!updated) throw new HttpError(404, 'not_found', 'alert rule not found');
      return updated;
    },
  );

  app.delete(
    '/api/0/alert-rules/:ruleId/',
    {
      schema: {
        tags,
        summary: 'Delete an alert rule, its undelivered notifications and its delivery log',
        params: RuleParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const rule = await loadRule(request, request.params.ruleId);
      await store.deleteAlertRule(rule.id);
      reply.code(204).send(null);
    },
  );

  /** Sends a sample now, to every action, and answers with what each receiver said (not queued). */
  app.post(
    '/api/0/alert-rules/:ruleId/test/',
    {
      schema: {
        tags,
        summary: "Send a sample notification to every action of the rule now (the project's latest issue, or a stand-in)",
        params: RuleParams,
        response: { 200: AlertTestResult, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const rule = await loadRule(request, request.params.ruleId);
      const project = await store.getProject(rule.projectId);
      if (!project) throw new HttpError(404, 'not_found', 'project not found');
      const latest = (await store.listIssues({ projectId: project.id, filter: null, sort: 'date', limit: 1 })).items[0];
      const context = latest ? await store.alertMessageContext(project.id, latest.id, null) : undefined;
      const message = buildMessage({
        rule, project, issue: context?.issue ?? sampleIssue(project.id), event: undefined, tags: context?.tags ?? [], reason: 'Test notification',
        suppressedSinceLast: 0, publicUrl: publicUrl(request, options.publicUrl), test: true,
      });
      const sendContext = { allowPrivate: options.outboundAllowPrivate ?? false, smtpUrl: options.smtpUrl, emailFrom: options.emailFrom, deliveryId: 0 };
      const results = await Promise.all(
        rule.actions.map(async (action) => {
          const result = await sendNotification(action, message, sendContext);
          return { type: action.type, target: targetOf(action), ok: result.ok, responseCode: result.responseCode, error: result.error };
        }),
      );
      return { ok: results.every((r) => r.ok), results };
    },
  );

  app.get(
    '/api/0/alert-rules/:ruleId/deliveries/',
    {
      schema: {
        tags,
        summary: "The rule's delivery attempts and notifications, newest first",
        params: RuleParams,
        querystring: Type.Object({ limit: Limit(50, 500) }),
        response: { 200: AlertDeliveries, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const rule = await loadRule(request, request.params.ruleId);
      const limit = request.query.limit ?? 50;
      return { attempts: await store.deliveryLog(rule.id, limit), notifications: await store.outboxForRule(rule.id, limit) };
    },
  );

  app.get(
    '/api/0/issues/:issueId/alert-firings/',
    {
      schema: {
        tags,
        summary: 'The alert rules that notified about an issue, with their last firing',
        params: IssueParams,
        response: { 200: Type.Array(AlertFiring), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const issue = await requireIssue(request, store, request.params.issueId);
      return store.issueAlertFirings(issue.id);
    },
  );
}
