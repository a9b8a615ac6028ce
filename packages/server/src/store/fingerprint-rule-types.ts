/**
 * A project's fingerprint rules (docs/grouping.md#fingerprint-rules): one text per project, as the
 * user wrote it. The store keeps the text only; parsing and matching live in
 * digest/fingerprint-rules, and the API refuses a text that does not parse before it is stored.
 */
export interface FingerprintRules {
  projectId: number;
  /** The rules as written (at most MAX_RULES_BYTES; empty means none). */
  rules: string;
  /** Epoch ms of the last change. */
  updatedAt: number;
}

export interface FingerprintRuleStore {
  /** The project's rules; undefined when it never set any. */
  getFingerprintRules(projectId: number): Promise<FingerprintRules | undefined>;
  /** Every project's non-empty rules, for the in-memory cache of parsed rules. */
  listFingerprintRules(): Promise<FingerprintRules[]>;
  /**
   * Replaces the project's rules and announces the change to every process's cache
   * (store/invalidation.ts: `fingerprint_rules`).
   */
  putFingerprintRules(projectId: number, rules: string): Promise<FingerprintRules>;
}
