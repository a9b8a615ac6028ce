/** The API contract: request and response schemas, and their TypeScript types. */
export * from './common.js';
export * from './models.js';
export * from './trace-models.js';
export * from './alerts.js';
export * from './releases.js';
export * from './replays.js';
export * from './accounts.js';
export * from './triage.js';
export * from './ingest-policy.js';
export * from './lifecycle.js';
export * from './fingerprint-rules.js';
export * from './issue-workflow.js';
