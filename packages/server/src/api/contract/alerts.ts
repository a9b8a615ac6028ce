/**
 * Alert rules, their notifications and delivery log, as the API takes and answers them (docs/alerts.md).
 * The body schema bounds every field; what depends on another field (threshold and window by
 * trigger, the fields each action type needs, URL schemes, the search grammar) is checked in
 * alerts/rule-validation.ts, which names the field the same way.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './common.js';

const Time = Type.String({ format: 'date-time' });
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const AlertTrigger = StringEnum(['new_issue', 'regression', 'frequency', 'users', 'spike'] as const, {
  description: 'new_issue, regression, frequency (N events in M minutes), users (N users in M minutes), spike (K times the baseline)',
});
export const AlertActionType = StringEnum(['email', 'webhook', 'slack', 'discord', 'teams'] as const);

export const AlertAction = Type.Object(
  {
    type: AlertActionType,
    to: Type.Optional(Type.Array(Type.String({ maxLength: 320 }), { maxItems: 20, description: 'email: 1 to 20 recipients' })),
    url: Type.Optional(Type.String({ maxLength: 2000, description: 'webhook, slack, discord, teams: the http(s) URL to post to' })),
    secret: Type.Optional(Type.String({ minLength: 16, maxLength: 256, description: 'webhook: the HMAC-SHA256 key of X-Proliferate-Signature' })),
  },
  { additionalProperties: false, description: '{type: "email", to} | {type: "webhook", url, secret} | {type: "slack"|"discord"|"teams", url}' },
);

export const AlertRuleBody = Type.Object(
  {
    name: Type.String({ maxLength: 200, description: '1 to 200 characters' }),
    trigger: AlertTrigger,
    environments: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50, description: 'Empty: every environment' })),
    query: Type.Optional(Type.String({ maxLength: 1000, description: 'Issue search filter applied to the firing event; empty: all' })),
    threshold: Type.Optional(
      Type.Union([Type.Number({ minimum: 0, maximum: 1_000_000 }), Type.Null()], {
        description: 'frequency / users: N (integer from 1); spike: K, a multiple of the baseline from 1.1 to 1000',
      }),
    ),
    windowMinutes: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1440 }), Type.Null()], { description: 'frequency / users / spike: M' })),
    throttleMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_080, default: 30, description: 'At most one notification per issue per interval' })),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    actions: Type.Array(AlertAction, { maxItems: 10, description: '1 to 10 actions' }),
  },
  { additionalProperties: false },
);

export const AlertRule = Type.Object({
  id: Type.Integer(),
  projectId: Type.Integer(),
  name: Type.String(),
  trigger: AlertTrigger,
  environments: Type.Array(Type.String()),
  query: Type.String(),
  threshold: Type.Union([Type.Number(), Type.Null()]),
  windowMinutes: Type.Union([Type.Integer(), Type.Null()]),
  throttleMinutes: Type.Integer(),
  enabled: Type.Boolean(),
  actions: Type.Array(AlertAction),
  createdAt: Time,
  updatedAt: Time,
  lastFiredAt: Type.Union([Time, Type.Null()]),
});

export const OutboxStatus = StringEnum(['pending', 'delivered', 'failed'] as const);

export const DeliveryAttempt = Type.Object({
  outboxId: Type.Integer(),
  ruleId: Type.Integer(),
  at: Time,
  actionType: AlertActionType,
  target: Type.String({ description: 'The receiver: a URL without credentials, or the e-mail recipients' }),
  ok: Type.Boolean(),
  responseCode: Type.Union([Type.Integer(), Type.Null()]),
  error: NullableString,
  durationMs: Type.Number(),
  status: OutboxStatus,
});

export const OutboxNotification = Type.Object({
  id: Type.Integer({ description: 'Also sent as X-Proliferate-Delivery' }),
  ruleId: Type.Integer(),
  projectId: Type.Integer(),
  issueId: Type.Union([Type.Integer(), Type.Null()]),
  action: AlertAction,
  message: Type.Unknown({ description: 'The message as decided (sent unchanged on every retry)' }),
  status: OutboxStatus,
  attempts: Type.Integer(),
  createdAt: Type.Number({ description: 'Epoch milliseconds' }),
  nextAttemptAt: Type.Number({ description: 'Epoch milliseconds' }),
});

export const AlertDeliveries = Type.Object({ attempts: Type.Array(DeliveryAttempt), notifications: Type.Array(OutboxNotification) });

export const AlertTestResult = Type.Object({
  ok: Type.Boolean({ description: 'Every action was accepted by its receiver' }),
  results: Type.Array(
    Type.Object({ type: AlertActionType, target: Type.String(), ok: Type.Boolean(), responseCode: Type.Union([Type.Integer(), Type.Null()]), error: NullableString }),
  ),
});

export const AlertFiring = Type.Object({
  ruleId: Type.Integer(),
  name: Type.String(),
  lastFiredAt: Time,
  suppressed: Type.Integer({ description: 'Events held back by the throttle since the last notification' }),
});

export type AlertTrigger = Static<typeof AlertTrigger>;
export type AlertActionBody = Static<typeof AlertAction>;
export type AlertRuleBody = Static<typeof AlertRuleBody>;
export type AlertRule = Static<typeof AlertRule>;
export type DeliveryAttempt = Static<typeof DeliveryAttempt>;
export type OutboxNotification = Static<typeof OutboxNotification>;
export type AlertDeliveries = Static<typeof AlertDeliveries>;
export type AlertTestResult = Static<typeof AlertTestResult>;
export type AlertFiring = Static<typeof AlertFiring>;
