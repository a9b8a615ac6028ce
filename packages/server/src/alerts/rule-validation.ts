import { HttpError } from '../errors.js';
import { parseSearch } from '../query/issue-search.js';
import { QuerySyntaxError } from '../query/ast.js';
import { ALERT_TRIGGERS, type AlertAction, type AlertRuleInput, type AlertTrigger } from '../store/alert-types.js';

const EMAIL = /^[^\s@<>()",;]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,63}$/;
const WINDOWED: ReadonlySet<AlertTrigger> = new Set(['frequency', 'users', 'spike']);

const invalid = (field: string, message: string) => new HttpError(400, 'invalid_rule', `${field}: ${message}`, {}, { field });

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function url(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > 2000) throw invalid(field, 'must be an http(s) URL of at most 2000 characters');
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw invalid(field, 'is not a valid URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw invalid(field, 'must be an http:// or https:// URL');
  return parsed.toString();
}

function action(value: unknown, field: string, emailConfigured: boolean): AlertAction {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, 'must be an object');
  const a = value as Record<string, unknown>;
  switch (a.type) {
    case 'email': {
      if (!emailConfigured) throw invalid(`${field}.type`, 'e-mail needs PROLIFERATE_SMTP_URL and PROLIFERATE_EMAIL_FROM on the server');
      if (!Array.isArray(a.to) || a.to.length < 1 || a.to.length > 20) throw invalid(`${field}.to`, 'must list 1 to 20 addresses');
      const to = a.to.map((address, i) => {
        if (typeof address !== 'string' || !EMAIL.test(address)) throw invalid(`${field}.to[${i}]`, 'is not an e-mail address');
        return address;
      });
      return { type: 'email', to };
    }
    case 'webhook': {
      if (typeof a.secret !== 'string' || a.secret.length < 16 || a.secret.length > 256) {
        throw invalid(`${field}.secret`, 'must be a string of 16 to 256 characters');
      }
      return { type: 'webhook', url: url(a.url, `${field}.url`), secret: a.secret };
    }
    case 'slack':
    case 'discord':
    case 'teams':
      return { type: a.type, url: url(a.url, `${field}.url`) };
    default:
      throw invalid(`${field}.type`, 'must be one of email, webhook, slack, discord, teams');
  }
}

/** A rule from a request body, or a 400 naming the first field that is wrong. */
export function validateRule(body: unknown, options: { emailConfigured: boolean }): AlertRuleInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.name !== 'string' || b.name.trim() === '' || b.name.length > 200) throw invalid('name', 'must be 1 to 200 characters');
  if (typeof b.trigger !== 'string' || !(ALERT_TRIGGERS as readonly string[]).includes(b.trigger)) {
    throw invalid('trigger', `must be one of ${ALERT_TRIGGERS.join(', ')}`);
  }
  const trigger = b.trigger as AlertTrigger;
  const environments = b.environments ?? [];
  if (!Array.isArray(environments) || environments.length > 50) throw invalid('environments', 'must be a list of at most 50 names');
  for (const [i, e] of environments.entries()) {
    if (typeof e !== 'string' || e === '' || e.length > 200) throw invalid(`environments[${i}]`, 'must be a non-empty name of at most 200 characters');
  }
  const query = b.query ?? '';
  if (typeof query !== 'string' || query.length > 1000) throw invalid('query', 'must be a string of at most 1000 characters');
  try {
    parseSearch(query);
  } catch (error) {
    if (error instanceof QuerySyntaxError) throw invalid('query', error.message);
    throw error;
  }
  let threshold: number | null = null;
  let windowMinutes: number | null = null;
  if (WINDOWED.has(trigger)) {
    windowMinutes = integer(b.windowMinutes, 'windowMinutes', 1, 1440);
    if (trigger === 'spike') {
      if (typeof b.threshold !== 'number' || !Number.isFinite(b.threshold) || b.threshold < 1.1 || b.threshold > 1000) {
        throw invalid('threshold', 'for spike, a multiple of the baseline from 1.1 to 1000');
      }
      threshold = b.threshold;
    } else {
      threshold = integer(b.threshold, 'threshold', 1, 1_000_000);
    }
  }
  const throttleMinutes = b.throttleMinutes === undefined ? 30 : integer(b.throttleMinutes, 'throttleMinutes', 0, 10_080);
  const enabled = b.enabled ?? true;
  if (typeof enabled !== 'boolean') throw invalid('enabled', 'must be true or false');
  if (!Array.isArray(b.actions) || b.actions.length < 1 || b.actions.length > 10) throw invalid('actions', 'must list 1 to 10 actions');
  const actions = b.actions.map((a, i) => action(a, `actions[${i}]`, options.emailConfigured));
  return { name: b.name.trim(), trigger, environments: [...new Set(environments as string[])], query: query.trim(), threshold, windowMinutes, throttleMinutes, enabled, actions };
}
