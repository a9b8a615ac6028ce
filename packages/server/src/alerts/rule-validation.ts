import { HttpError } from '../errors.js';
import { parseSearch } from '../query/issue-search.js';
import { QuerySyntaxError } from '../query/ast.js';
import type { AlertActionBody, AlertRuleBody } from '../api/contract/alerts.js';
import type { AlertAction, AlertRuleInput, AlertTrigger } from '../store/alert-types.js';

const EMAIL = /^[^\s@<>()",;]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,63}$/;
const WINDOWED: ReadonlySet<AlertTrigger> = new Set(['frequency', 'users', 'spike']);

const invalid = (field: string, message: string) => new HttpError(400, 'invalid_rule', `${field}: ${message}`, {}, { field });

function url(value: string | undefined, field: string): string {
  if (value === undefined) throw invalid(field, 'is required: an http(s) URL of at most 2000 characters');
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw invalid(field, 'is not a valid URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw invalid(field, 'must be an http:// or https:// URL');
  return parsed.toString();
}

function action(a: AlertActionBody, field: string, emailConfigured: boolean): AlertAction {
  switch (a.type) {
    case 'email': {
      if (!emailConfigured) throw invalid(`${field}.type`, 'e-mail needs PROLIFERATE_SMTP_URL and PROLIFERATE_EMAIL_FROM on the server');
      if (!a.to || a.to.length < 1) throw invalid(`${field}.to`, 'must list 1 to 20 addresses');
      a.to.forEach((address, i) => {
        if (!EMAIL.test(address)) throw invalid(`${field}.to[${i}]`, 'is not an e-mail address');
      });
      return { type: 'email', to: a.to };
    }
    case 'webhook': {
      const target = url(a.url, `${field}.url`);
      if (a.secret === undefined) throw invalid(`${field}.secret`, 'must be a string of 16 to 256 characters');
      return { type: 'webhook', url: target, secret: a.secret };
    }
    case 'slack':
    case 'discord':
    case 'teams':
      return { type: a.type, url: url(a.url, `${field}.url`) };
  }
}

/**
 * The rules of a rule that its body schema (api/contract/alerts.ts) cannot say: what depends on the
 * trigger or on the action type, URL schemes, addresses and the search grammar. A 400 names the
 * first field that is wrong, in the schema's notation (`actions[0].url`).
 */
export function validateRule(b: AlertRuleBody, options: { emailConfigured: boolean }): AlertRuleInput {
  if (b.name.trim() === '') throw invalid('name', 'must be 1 to 200 characters');
  const trigger = b.trigger;
  const query = b.query ?? '';
  try {
    parseSearch(query);
  } catch (error) {
    if (error instanceof QuerySyntaxError) throw invalid('query', error.message);
    throw error;
  }
  let threshold: number | null = null;
  let windowMinutes: number | null = null;
  if (WINDOWED.has(trigger)) {
    if (b.windowMinutes === undefined || b.windowMinutes === null) throw invalid('windowMinutes', 'must be an integer from 1 to 1440');
    windowMinutes = b.windowMinutes;
    const t = b.threshold;
    if (trigger === 'spike') {
      if (t === undefined || t === null || t < 1.1 || t > 1000) throw invalid('threshold', 'for spike, a multiple of the baseline from 1.1 to 1000');
    } else if (t === undefined || t === null || !Number.isInteger(t) || t < 1) {
      throw invalid('threshold', 'must be an integer from 1 to 1000000');
    }
    threshold = t;
  }
  // Checked here rather than as the schema's minItems so that a rule's own fields are named first
  // (the alert API has always reported `threshold` before an empty action list).
  if (b.actions.length < 1) throw invalid('actions', 'must list 1 to 10 actions');
  const actions = b.actions.map((a, i) => action(a, `actions[${i}]`, options.emailConfigured));
  return {
    name: b.name.trim(),
    trigger,
    environments: [...new Set(b.environments ?? [])],
    query: query.trim(),
    threshold,
    windowMinutes,
    throttleMinutes: b.throttleMinutes ?? 30,
    enabled: b.enabled ?? true,
    actions,
  };
}
