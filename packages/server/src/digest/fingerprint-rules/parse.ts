/**
 * Fingerprint rules (docs/grouping.md#fingerprint-rules): one rule per line,
 * `matcher:value [matcher:value ...] -> part, part [title="..."]`, `#` starts a comment.
 * The grammar follows Sentry's so rules written for Sentry paste in unchanged. Parsing is pure and
 * happens once per change of a project's rules (fingerprint-rule-cache.ts), never per event.
 */
import { compileGlob, type Glob } from './glob.js';

/** Bounds on what a project may store: a rules text larger than this is refused, not cut. */
export const MAX_RULES_BYTES = 64 * 1024;
export const MAX_RULES = 500;
const MAX_PARTS = 16;

/** Matchers that look at one frame of the exception stack; several on one rule must hold for the same frame. */
export const FRAME_MATCHERS = new Set(['module', 'function', 'path', 'package', 'app']);
const EVENT_MATCHERS = new Set(['error.type', 'error.value', 'message', 'logger', 'level', 'family', 'sdk', 'release']);
const MATCHER_ALIASES: Record<string, string> = {
  type: 'error.type',
  value: 'error.value',
  abs_path: 'path',
  'stack.abs_path': 'path',
  'stack.module': 'module',
  'stack.function': 'function',
  'stack.package': 'package',
};
const VARIABLE_ALIASES: Record<string, string> = { type: 'error.type', value: 'error.value', abs_path: 'path' };
const VARIABLES = new Set(['default', 'error.type', 'error.value', 'message', 'function', 'module', 'package', 'path', 'level', 'logger', 'transaction', 'release', 'sdk']);
const FAMILIES = new Set(['javascript', 'python', 'native', 'other', 'all']);
const TAG_KEY = /^[A-Za-z0-9_.:-]{1,32}$/;

export interface Matcher {
  /** Canonical name (`error.type` for `type`), or `tags` with `tagKey`. */
  key: string;
  tagKey?: string;
  negated: boolean;
  /** As written, for display. */
  pattern: string;
  glob: Glob;
  /** `app:` only: whether it asks for in-app frames. */
  inApp?: boolean;
  /** `family:` only: the families it names. */
  families?: ReadonlySet<string>;
}

export type FingerprintPart = { kind: 'literal'; value: string } | { kind: 'variable'; name: string; tagKey?: string };

export interface FingerprintRule {
  /** 1-based line in the rules text. */
  line: number;
  /** The rule as written (without a trailing comment), shown on the events it grouped. */
  text: string;
  eventMatchers: Matcher[];
  frameMatchers: Matcher[];
  fingerprint: FingerprintPart[];
  /** The issue title to use, with `{{ variables }}` still in it. */
  title?: string;
}

/** A rules text that does not parse; `line` and `column` are 1-based. */
export class FingerprintRuleSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
    this.name = 'FingerprintRuleSyntaxError';
  }
}

export function parseFingerprintRules(text: string): FingerprintRule[] {
  if (Buffer.byteLength(text, 'utf8') > MAX_RULES_BYTES) throw new FingerprintRuleSyntaxError(1, 1, `the rules are larger than ${MAX_RULES_BYTES / 1024} KB`);
  const rules: FingerprintRule[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((source, index) => {
    const rule = new LineParser(source, index + 1).rule();
    if (!rule) return;
    if (rules.length === MAX_RULES) throw new FingerprintRuleSyntaxError(index + 1, 1, `at most ${MAX_RULES} rules are allowed`);
    rules.push(rule);
  });
  return rules;
}

class LineParser {
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly line: number,
  ) {}

  private fail(reason: string, at = this.pos): never {
    throw new FingerprintRuleSyntaxError(this.line, at + 1, reason);
  }

  private skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  /** True at the end of the line or at a comment. */
  private atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.src.length || this.src[this.pos] === '#';
  }

  rule(): FingerprintRule | undefined {
    if (this.atEnd()) return undefined;
    const start = this.pos;
    const eventMatchers: Matcher[] = [];
    const frameMatchers: Matcher[] = [];
    while (!this.src.startsWith('->', this.pos)) {
      if (this.atEnd()) this.fail(eventMatchers.length + frameMatchers.length ? 'expected `->` and a fingerprint after the matchers' : 'expected a matcher such as error.type:TypeError');
      if (this.src.startsWith('->', this.pos)) break;
      const matcher = this.matcher();
      (FRAME_MATCHERS.has(matcher.key) ? frameMatchers : eventMatchers).push(matcher);
    }
    if (eventMatchers.length + frameMatchers.length === 0) this.fail('a rule needs at least one matcher before `->`');
    this.pos += 2;
    const fingerprint: FingerprintPart[] = [];
    let title: string | undefined;
    for (;;) {
      if (this.atEnd()) break;
      const attribute = /^([A-Za-z_]+)=/.exec(this.src.slice(this.pos));
      if (attribute) {
        const at = this.pos;
        if (attribute[1] !== 'title') this.fail(`unknown attribute \`${attribute[1]}\` (only title="..." is supported)`);
        if (title !== undefined) this.fail('title is given twice');
        this.pos += attribute[0].length;
        title = this.value(false);
        if (title === '') this.fail('the title is empty', at);
        checkTemplate(title, this.line, at + 1);
        continue;
      }
      if (title !== undefined) this.fail('fingerprint parts go before title="..."');
      if (fingerprint.length > 0) {
        if (this.src[this.pos] !== ',') this.fail('expected `,` between fingerprint parts');
        this.pos++;
        this.skipSpace();
      }
      const at = this.pos;
      fingerprint.push(this.part(at));
      if (fingerprint.length > MAX_PARTS) this.fail(`at most ${MAX_PARTS} fingerprint parts are allowed`, at);
    }
    if (fingerprint.length === 0) this.fail('expected a fingerprint after `->`, e.g. -> database-down');
    const end = this.src.indexOf('#', this.pos) === this.pos ? this.pos : this.src.length;
    return { line: this.line, text: this.src.slice(start, end).trim(), eventMatchers, frameMatchers, fingerprint, title };
  }

  private matcher(): Matcher {
    const start = this.pos;
    const negated = this.src[this.pos] === '!';
    if (negated) this.pos++;
    const name = /^[A-Za-z_][A-Za-z0-9_.-]*(?=:)/.exec(this.src.slice(this.pos));
    if (!name) this.fail('expected a matcher such as error.type:TypeError (name:value)');
    const written = name[0];
    this.pos += written.length + 1;
    let key = MATCHER_ALIASES[written] ?? written;
    let tagKey: string | undefined;
    if (key.startsWith('tags.')) {
      tagKey = key.slice(5);
      if (!TAG_KEY.test(tagKey)) this.fail(`\`${tagKey}\` is not a tag key (1 to 32 letters, digits, _ . : -)`, start);
      key = 'tags';
    } else if (!EVENT_MATCHERS.has(key) && !FRAME_MATCHERS.has(key)) {
      this.fail(`unknown matcher \`${written}\`; use error.type, error.value, message, logger, level, module, function, path, package, family, app, sdk, release or tags.KEY`, negated ? start + 1 : start);
    }
    const valueAt = this.pos;
    const pattern = this.value(true);
    if (pattern === '') this.fail(`\`${written}:\` needs a value`, valueAt);
    if (key === 'app' && !/^(yes|no|true|false|1|0)$/i.test(pattern)) this.fail('app: takes yes or no', valueAt);
    if (key === 'family' && !pattern.split(',').every((f) => FAMILIES.has(f.toLowerCase()))) this.fail('family: takes javascript, python, native, other or all (comma-separated)', valueAt);
    const caseless = key === 'path' || key === 'level' || key === 'family' || key === 'sdk' || key === 'app';
    const matcher: Matcher = { key, tagKey, negated, pattern, glob: compileGlob(pattern, caseless) };
    if (key === 'app') matcher.inApp = /^(yes|true|1)$/i.test(pattern);
    if (key === 'family') matcher.families = new Set(pattern.toLowerCase().split(','));
    return matcher;
  }

  /** A quoted value (`"a b"`, with `\"` and `\\`) or a run of characters up to whitespace (`stopAtComma` off) or a comma. */
  private value(matcherValue: boolean): string {
    if (this.src[this.pos] === '"') {
      const open = this.pos;
      let out = '';
      this.pos++;
      while (this.pos < this.src.length && this.src[this.pos] !== '"') {
        if (this.src[this.pos] === '\\' && this.pos + 1 < this.src.length) {
          const next = this.src[this.pos + 1]!;
          // `\"` is a quote; in a matcher any other escape stays for the glob (`\*` is a literal star).
          out += next === '"' ? '"' : !matcherValue && next === '\\' ? '\\' : `\\${next}`;
          this.pos += 2;
          continue;
        }
        out += this.src[this.pos++];
      }
      if (this.pos >= this.src.length) this.fail('unterminated quoted value', open);
      this.pos++;
      return out;
    }
    const start = this.pos;
    while (this.pos < this.src.length && !/\s/.test(this.src[this.pos]!) && (matcherValue || this.src[this.pos] !== ',')) this.pos++;
    return this.src.slice(start, this.pos);
  }

  private part(at: number): FingerprintPart {
    let value: string;
    if (this.src.startsWith('{{', this.pos)) {
      const close = this.src.indexOf('}}', this.pos);
      if (close === -1) this.fail('unterminated variable: expected `}}`');
      value = this.src.slice(this.pos, close + 2);
      this.pos = close + 2;
    } else {
      value = this.value(false);
    }
    if (value === '') this.fail('expected a fingerprint part', at);
    const variable = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(value);
    if (!variable) return { kind: 'literal', value };
    return variablePart(variable[1]!, this.line, at + 1);
  }
}

function variablePart(written: string, line: number, column: number): FingerprintPart {
  const name = VARIABLE_ALIASES[written] ?? written;
  if (name.startsWith('tags.')) {
    const tagKey = name.slice(5);
    if (!TAG_KEY.test(tagKey)) throw new FingerprintRuleSyntaxError(line, column, `\`${tagKey}\` is not a tag key`);
    return { kind: 'variable', name: 'tags', tagKey };
  }
  if (!VARIABLES.has(name)) {
    throw new FingerprintRuleSyntaxError(line, column, `unknown variable {{ ${written} }}; use default, error.type, error.value, message, function, module, package, path, level, logger, transaction, release, sdk or tags.KEY`);
  }
  return { kind: 'variable', name };
}

/** Checks the `{{ variables }}` of a title, so a typo is a parse error rather than a literal on every issue. */
function checkTemplate(title: string, line: number, column: number): void {
  for (const match of title.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)) variablePart(match[1]!, line, column);
}

export const TITLE_VARIABLE = /\{\{\s*([^{}]*?)\s*\}\}/g;
export { variablePart };
