/**
 * Helpers for the end-to-end tests with the official Sentry clients: the grouping v1 fingerprint
 * computed here from first principles (node:crypto, not the protocol package, so a bug there cannot
 * hide itself), a fixture runner, and typed reads of the query API.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import type { RunningServer } from './server.ts';

/** `Type|fn@file|fn@file|fn@file`, frames nearest the throw first, file base names. */
export function v1Source(type: string, framesFromThrow: Array<[fn: string, file: string]>): string {
  return [type, ...framesFromThrow.map(([fn, file]) => `${fn}@${file}`)].join('|');
}

/** `SHA256("Type|fn@file|fn@file|fn@file")[:16]`. */
export function v1Fingerprint(type: string, framesFromThrow: Array<[fn: string, file: string]>): string {
  return sha256Prefix(v1Source(type, framesFromThrow));
}

/** The documented rule for events without a stack trace: `message|<message>` (no digits here). */
export function v1MessageFingerprint(message: string): string {
  return sha256Prefix(`message|${message}`);
}

/** First 16 hex digits of SHA-256: the fingerprint of a grouping source. */
export function sha256Prefix(source: string): string {
  return createHash('sha256').update(source).digest('hex').slice(0, 16);
}

/** Runs a fixture program and returns its stdout; rejects with its stderr on failure or timeout. */
export function runFixture(command: string, args: string[], env: Record<string, string>, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: { ...process.env, ...env }, cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Runs a fixture program that may exit non-zero on purpose; rejects only on a timeout. */
export function runFixtureToExit(
  command: string, args: string[], env: Record<string, string>, cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: { ...process.env, ...env }, cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error?.killed) reject(new Error(`${command} ${args.join(' ')} timed out\n${stderr}`));
      else resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

/** Every line of a fixture's stdout that is a JSON object, in order. */
export function jsonLines<T>(stdout: string): T[] {
  return stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as T);
}

/** The last line of a fixture's stdout is its JSON report. */
export function lastJsonLine<T>(stdout: string): T {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

/** The API's own types, from the route schemas the server validates and documents with. */
export type { Issue as ApiIssue, TagDistribution } from '../../packages/server/src/api/contract/index.js';
import type { Issue as ApiIssue, TagDistribution } from '../../packages/server/src/api/contract/index.js';

async function ok<T>(server: RunningServer, path: string): Promise<T> {
  const response = await server.api<T>(path);
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

export const listIssues = (server: RunningServer) =>
  ok<ApiIssue[]>(server, `/api/0/projects/${server.projectId}/issues/?limit=100`);
export const listIssueEventIds = async (server: RunningServer, issueId: number) =>
  (await ok<Array<{ eventId: string }>>(server, `/api/0/issues/${issueId}/events/?limit=100`)).map((e) => e.eventId);
export const getEvent = (server: RunningServer, eventId: string) =>
  ok<any>(server, `/api/0/projects/${server.projectId}/events/${eventId}/`);
export const issueTags = (server: RunningServer, issueId: number) =>
  ok<TagDistribution[]>(server, `/api/0/issues/${issueId}/tags/`);

/** `{value: percentage}` of one tag key on an issue, or undefined when the issue has no such tag. */
/** The issue with this fingerprint; fails the test, listing what exists, when there is none. */
export function issueWithFingerprint(issues: ApiIssue[], fingerprint: string): ApiIssue {
  const issue = issues.find((i) => i.fingerprint === fingerprint);
  assert.ok(issue, `no issue with fingerprint ${fingerprint}; issues: ${JSON.stringify(issues.map((i) => [i.title, i.fingerprint]))}`);
  return issue;
}

export function percentages(tags: TagDistribution[], key: string): Record<string, number> | undefined {
  const entry = tags.find((t) => t.key === key);
  return entry && Object.fromEntries(entry.topValues.map((v) => [v.value, v.percentage]));
}

/** The frames of the captured exception, nearest the throw first, as [function, base name]. */
export function framesFromThrow(event: any, count = 3): Array<[string, string]> {
  const values = event.exception?.values ?? [];
  const frames: any[] = values[values.length - 1]?.stacktrace?.frames ?? [];
  return frames
    .slice(-count)
    .reverse()
    .map((f) => [f.function, String(f.filename ?? f.abs_path).split(/[\\/]/).pop()!]);
}
