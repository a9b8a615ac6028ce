import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendNotification } from '../alerts/channels/index.js';
import { targetOf } from '../alerts/channels/types.js';
import { buildMessage } from '../alerts/message.js';
import { validateRule } from '../alerts/rule-validation.js';
import { HttpError } from '../errors.js';
import type { AlertRule } from '../store/alert-types.js';
import type { Issue, Store } from '../store/types.js';
import { assertProjectAccess, requireIssue, requireProject, requireToken } from './auth.js';
import { idParam, limitParam, publicUrl } from './http.js';

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
    accountCount: 0, firstSeen: now, lastSeen: now, firstRelease: null, lastRelease: null, environments: [],
  };
}

export async function alertRuleRoutes(app: FastifyInstance, options: AlertRouteOptions) {
  const { store } = options;
  const emailConfigured = Boolean(options.smtpUrl && options.emailFrom);

  async function loadRule(request: FastifyRequest): Promise<AlertRule> {
    const token = await requireToken(request, store);
    const rule = await store.getAlertRule(idParam((request.params as { ruleId?: string }).ruleId, 'alert rule'));
    if (!rule) throw new HttpError(404, 'not_found', 'alert rule not found');
    assertProjectAccess(token, rule.projectId, 'alert rule');
    return rule;
  }

  app.get('/api/0/projects/:projectId/alert-rules/', async (request) => {
    const { project } = await requireProject(request, store);
    return store.listAlertRules(project.id);
  });

  app.post('/api/0/projects/:projectId/alert-rules/', async (request, reply) => {
    const { project } = await requireProject(request, store);
    const input = validateRule(request.body, { emailConfigured });
    reply.code(201);
    return store.createAlertRule(project.id, input);
  });

  app.get('/api/0/alert-rules/:ruleId/', async (request) => loadRule(request));

  app.put('/api/0/alert-rules/:ruleId/', async (request) => {
    const rule = await loadRule(request);
    return store.updateAlertRule(rule.id, validateRule(request.body, { emailConfigured }));
  });

  app.delete('/api/0/alert-rules/:ruleId/', async (request, reply) => {
    const rule = await loadRule(request);
    await store.deleteAlertRule(rule.id);
    reply.code(204).send();
  });

  /** Sends a sample now, to every action, and answers with what each receiver said (not queued). */
  app.post('/api/0/alert-rules/:ruleId/test/', async (request) => {
    const rule = await loadRule(request);
    const project = (await store.getProject(rule.projectId))!;
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
  });

  app.get('/api/0/alert-rules/:ruleId/deliveries/', async (request) => {
    const rule = await loadRule(request);
    const limit = limitParam((request.query as Record<string, unknown>).limit, 50, 500);
    return { attempts: await store.deliveryLog(rule.id, limit), notifications: await store.outboxForRule(rule.id, limit) };
  });

  app.get('/api/0/issues/:issueId/alert-firings/', async (request) => {
    const issue = await requireIssue(request, store);
    return store.issueAlertFirings(issue.id);
  });
}
