import { HttpError } from '../../errors.js';
import type { AlertStore } from '../alert-types.js';

/**
 * Alerts landed on SQLite first; their PostgreSQL port needs a commit-ordered evaluation cursor
 * (alerts/README.md), so until it lands each of these methods answers a clear 501 instead of a
 * TypeError, and the server does not start the evaluator (store.capabilities.alerts is false).
 */
const NOT_YET_PORTED = [
  'listAlertRules', 'getAlertRule', 'createAlertRule', 'updateAlertRule', 'deleteAlertRule', 'enabledAlertRules', 'alertEvaluationBatch',
  'eventRowsMatching', 'issueWindowCounts', 'projectWindowCount', 'projectHourlyTotal', 'alertMessageContext', 'alertThrottleStates',
  'commitAlertEvaluation', 'dueOutbox', 'recordDeliveryAttempts', 'deliveryLog', 'outboxForRule', 'issueAlertFirings',
] as const satisfies ReadonlyArray<keyof AlertStore>;

export type NotYetPorted = Pick<AlertStore, (typeof NOT_YET_PORTED)[number]>;

export function notYetPorted(): NotYetPorted {
  const methods: Record<string, () => Promise<never>> = {};
  for (const name of NOT_YET_PORTED) {
    methods[name] = () => Promise.reject(new HttpError(501, 'not_on_postgres_yet', `${name}: alerts are not available on PostgreSQL yet`));
  }
  return methods as unknown as NotYetPorted;
}
