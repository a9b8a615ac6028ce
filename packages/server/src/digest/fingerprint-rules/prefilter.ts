/**
 * Which of a project's rules can match an event, told cheaply before any rule is tried. Compiled once
 * per rules version (the rule cache hands out one array per version, the key of the WeakMap below):
 * - a rule whose first plain event matcher is a wildcard-free value (`error.type:CardDeclined`,
 *   `tags.tenant:acme`) is looked up by the event's values of that field, not tried;
 * - every other plain matcher with a literal part (`*timeout*`, `**\/node_modules/lib3/**`, `handler*`)
 *   needs that text in the event's values of its field, all of them joined once per event: one
 *   substring search instead of one test per value or frame.
 * Negated matchers, `family:`, `app:` and regular-expression globs are left to the rule itself. A
 * rule the prefilter lets through is matched as before, so the first matching rule still wins.
 */
import type { FingerprintRule, Matcher } from './parse.js';

/** What the prefilter reads of an event (match.ts EventFacts). */
export interface EventValues {
  /** The values an event matcher looks at. */
  values(matcher: Matcher): string[];
  /** Every frame's values of a frame matcher's field (`path`: abs_path and filename, lowercased). */
  frameValues(key: string): string[];
}

interface Need {
  matcher: Matcher;
  frame: boolean;
  text: string;
}

/** Joins values so that a search for text without the separator finds only what one value holds. */
const SEPARATOR = '\u0000';

export class RulePrefilter {
  /** Rules looked up by one field's exact value: per field, one representative matcher and the rules by value. */
  private readonly gates = new Map<string, { matcher: Matcher; rules: Map<string, number[]> }>();
  private readonly gated: boolean[] = [];
  private readonly needs: Need[][] = [];

  constructor(private readonly rules: readonly FingerprintRule[]) {
    rules.forEach((rule, index) => {
      const plain = (m: Matcher) => !m.negated && m.key !== 'family' && m.key !== 'app';
      const gate = rule.eventMatchers.find((m) => plain(m) && m.glob.exact !== undefined);
      if (gate) {
        const field = fieldOf(gate);
        let byField = this.gates.get(field);
        if (!byField) this.gates.set(field, (byField = { matcher: gate, rules: new Map() }));
        const list = byField.rules.get(gate.glob.exact!);
        if (list) list.push(index);
        else byField.rules.set(gate.glob.exact!, [index]);
      }
      this.gated.push(gate !== undefined);
      const needs: Need[] = [];
      for (const [matchers, frame] of [[rule.eventMatchers, false], [rule.frameMatchers, true]] as const) {
        for (const m of matchers) {
          const text = m.glob.required;
          if (m !== gate && plain(m) && text && !text.includes(SEPARATOR)) needs.push({ matcher: m, frame, text });
        }
      }
      this.needs.push(needs);
    });
  }

  /** For one event: whether rule i may match (false only when it cannot). */
  forEvent(facts: EventValues): (index: number) => boolean {
    let open: Uint8Array | undefined;
    if (this.gates.size > 0) {
      open = new Uint8Array(this.rules.length);
      for (const { matcher, rules } of this.gates.values()) {
        for (const value of facts.values(matcher)) {
          const found = rules.get(value);
          if (found) for (const index of found) open[index] = 1;
        }
      }
    }
    const joined = new Map<string, string>();
    const haystack = (need: Need) => {
      const field = need.frame ? `frame.${need.matcher.key}` : fieldOf(need.matcher);
      let text = joined.get(field);
      if (text === undefined) {
        text = (need.frame ? facts.frameValues(need.matcher.key) : facts.values(need.matcher)).join(SEPARATOR);
        joined.set(field, text);
      }
      return text;
    };
    return (index) => {
      if (this.gated[index] && open![index] !== 1) return false;
      for (const need of this.needs[index]!) if (!haystack(need).includes(need.text)) return false;
      return true;
    };
  }
}

const fieldOf = (m: Matcher) => (m.key === 'tags' ? `tags.${m.tagKey}` : m.key);

const compiled = new WeakMap<readonly FingerprintRule[], RulePrefilter>();

/** The prefilter of a rules version, compiled on its first event. */
export function prefilterOf(rules: readonly FingerprintRule[]): RulePrefilter {
  let prefilter = compiled.get(rules);
  if (!prefilter) compiled.set(rules, (prefilter = new RulePrefilter(rules)));
  return prefilter;
}
