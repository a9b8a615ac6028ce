/**
 * Applying a project's fingerprint rules to one normalized event: the first rule whose matchers all
 * hold gives the grouping source (its parts joined with `|`, as an SDK-sent fingerprint) and,
 * optionally, the issue title. Rules win over an SDK-sent fingerprint, as in Sentry.
 */
import { defaultGroupingSource } from '@proliferate/protocol';
import { eventTitle } from '../describe.js';
import { normalizeFrames } from '../exception.js';
import type { NormalizedEvent } from '../normalize.js';
import { TITLE_VARIABLE, variablePart, type FingerprintPart, type FingerprintRule, type Matcher } from './parse.js';
import { type EventValues, prefilterOf } from './prefilter.js';

export interface RuleMatch {
  rule: FingerprintRule;
  /** The grouping source to hash. */
  source: string;
  /** The title the rule gives, variables filled in; absent when it gives none. */
  title?: string;
}

type Frame = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

const NATIVE = new Set(['native', 'c', 'cocoa', 'objc', 'swift']);
function family(platform: string | undefined): string {
  if (platform === 'javascript' || platform === 'node') return 'javascript';
  if (platform === 'python') return 'python';
  return platform && NATIVE.has(platform) ? 'native' : 'other';
}

/** What the matchers read, gathered once per event (and only when the project has rules). */
class EventFacts implements EventValues {
  readonly exceptions;
  readonly frames: Frame[];
  readonly sdkName: string | undefined;
  /**
   * Digest normalizes only what grouping needs (normalize.ts, 'digest'): the SDK and a bare stack
   * trace (a message with `attach_stacktrace`) are read from the event as received.
   */
  constructor(
    readonly event: NormalizedEvent,
    raw: Record<string, unknown> | undefined,
  ) {
    this.exceptions = event.exception?.values ?? [];
    const stack = (event.stacktrace as { frames?: unknown } | undefined)?.frames ?? normalizeFrames(raw?.stacktrace, false);
    this.frames = [...this.exceptions.flatMap((e) => e.stacktrace?.frames ?? []), ...(Array.isArray(stack) ? (stack as Frame[]) : [])];
    const sdk = event.sdk ?? (raw?.sdk as Record<string, unknown> | undefined);
    this.sdkName = str(sdk?.name)?.slice(0, 200);
  }

  get captured() {
    return this.exceptions[this.exceptions.length - 1];
  }

  private readonly cached = new Map<string, string[]>();

  /** The values a matcher looks at, gathered once per event and key. */
  values(matcher: Matcher): string[] {
    const id = matcher.key === 'tags' ? `tags.${matcher.tagKey}` : matcher.key;
    let values = this.cached.get(id);
    if (!values) {
      values = this.gather(matcher);
      this.cached.set(id, values);
    }
    return values;
  }

  private gather(matcher: Matcher): string[] {
    const e = this.event;
    switch (matcher.key) {
      case 'error.type':
        return this.exceptions.flatMap((x) => (x.type ? [x.type] : []));
      case 'error.value':
        return this.exceptions.flatMap((x) => (x.value ? [x.value] : []));
      case 'message': {
        const logentry = e.logentry as { message?: unknown; formatted?: unknown } | undefined;
        return [e.message, str(logentry?.formatted), str(logentry?.message), ...this.exceptions.map((x) => x.value)].filter((v): v is string => !!v);
      }
      case 'logger':
        return e.logger ? [e.logger] : [];
      case 'level':
        return [e.level.toLowerCase()];
      case 'release':
        return e.release ? [e.release] : [];
      case 'sdk':
        return this.sdkName ? [this.sdkName.toLowerCase()] : [];
      case 'tags': {
        const value = e.tags[matcher.tagKey!];
        return value === undefined ? [] : [value];
      }
      default:
        return [];
    }
  }

  private lowered: Array<[string | undefined, string | undefined]> | undefined;

  /** Frame i's abs_path and filename, lowercased (path: matches without regard to case), once per event. */
  paths(i: number): [string | undefined, string | undefined] {
    this.lowered ??= this.frames.map((f) => {
      const abs = str(f.abs_path)?.toLowerCase();
      const file = str(f.filename)?.toLowerCase();
      return [abs, file === abs ? undefined : file];
    });
    return this.lowered[i]!;
  }

  /** Every frame's values of a frame matcher's field, for the prefilter (prefilter.ts). */
  frameValues(key: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.frames.length; i++) {
      if (key === 'path') {
        const [abs, file] = this.paths(i);
        if (abs !== undefined) out.push(abs);
        if (file !== undefined) out.push(file);
      } else {
        const value = str(this.frames[i]![key]);
        if (value !== undefined) out.push(value);
      }
    }
    return out;
  }

  /** The frame a frame-variable reads when no frame matcher chose one: nearest the throw, the app's first. */
  defaultFrame(): Frame | undefined {
    const frames = this.captured?.stacktrace?.frames ?? this.frames;
    return [...frames].reverse().find((f) => f.in_app === true) ?? frames[frames.length - 1];
  }
}

function eventMatcherHolds(matcher: Matcher, facts: EventFacts): boolean {
  const held =
    matcher.key === 'family'
      ? matcher.families!.has('all') || matcher.families!.has(family(facts.event.platform))
      : facts.values(matcher).some((v) => matcher.glob.test(v));
  return held !== matcher.negated;
}

function frameMatcherHolds(matcher: Matcher, facts: EventFacts, index: number): boolean {
  const frame = facts.frames[index]!;
  let held: boolean;
  switch (matcher.key) {
    case 'app':
      held = matcher.inApp ? frame.in_app === true : frame.in_app !== true;
      break;
    case 'path': {
      const [abs, file] = facts.paths(index);
      held = (abs !== undefined && matcher.glob.test(abs)) || (file !== undefined && matcher.glob.test(file));
      break;
    }
    default: {
      const value = str(frame[matcher.key]);
      held = value !== undefined && matcher.glob.test(value);
    }
  }
  return held !== matcher.negated;
}

/** `raw` is the event as received, for what digest does not normalize (the SDK, a bare stack trace). */
export function applyFingerprintRules(rules: readonly FingerprintRule[], event: NormalizedEvent, raw?: Record<string, unknown>): RuleMatch | undefined {
  if (rules.length === 0) return undefined;
  const facts = new EventFacts(event, raw);
  // Measured with bench/fingerprint-rules.ts (50 rules none of which match): see docs/grouping.md.
  const mayMatch = prefilterOf(rules).forEvent(facts);
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index]!;
    if (!mayMatch(index)) continue;
    if (!rule.eventMatchers.every((m) => eventMatcherHolds(m, facts))) continue;
    let frame: Frame | undefined;
    if (rule.frameMatchers.length > 0) {
      const index = facts.frames.findIndex((_, i) => rule.frameMatchers.every((m) => frameMatcherHolds(m, facts, i)));
      if (index === -1) continue;
      frame = facts.frames[index];
    }
    const resolve = (part: FingerprintPart) => resolvePart(part, facts, frame);
    const source = rule.fingerprint.map(resolve).join('|');
    const title = rule.title?.replace(TITLE_VARIABLE, (_, name: string) => {
      const part = variablePart(name, rule.line, 1);
      return part.kind === 'variable' && part.name === 'default' ? eventTitle(event) : resolve(part);
    });
    return { rule, source, title: title?.slice(0, 200) };
  }
  return undefined;
}

function resolvePart(part: FingerprintPart, facts: EventFacts, matchedFrame: Frame | undefined): string {
  if (part.kind === 'literal') return part.value;
  const e = facts.event;
  const frame = () => matchedFrame ?? facts.defaultFrame();
  let value: string | undefined;
  switch (part.name) {
    case 'default':
      return defaultGroupingSource(e);
    case 'error.type':
      value = facts.captured?.type;
      break;
    case 'error.value':
      value = facts.captured?.value;
      break;
    case 'message':
      value = e.message ?? facts.captured?.value;
      break;
    case 'function':
    case 'module':
    case 'package':
      value = str(frame()?.[part.name]);
      break;
    case 'path':
      value = str(frame()?.abs_path) ?? str(frame()?.filename);
      break;
    case 'level':
      value = e.level;
      break;
    case 'logger':
      value = e.logger;
      break;
    case 'transaction':
      value = e.transaction;
      break;
    case 'release':
      value = e.release;
      break;
    case 'sdk':
      value = facts.sdkName;
      break;
    case 'tags':
      value = e.tags[part.tagKey!];
      break;
  }
  return value || `<no-${part.name === 'tags' ? `tags.${part.tagKey}` : part.name}>`;
}
