/**
 * Variable expansion as dotenv-expand does it (lib/main.js of 12.0.x and 13.0.0, identical;
 * the usual call is `dotenvExpand.expand(dotenv.config())`), keeping where every piece came from.
 *
 * dotenv-expand's rules, with its quirks kept on purpose (a linter must see what the program sees):
 * - keys are visited in JS object order (integer-like keys first, then first-assignment order),
 *   each with the value of its last assignment;
 * - a key the environment already holds with a different non-empty value keeps that value unexpanded;
 * - references are `${EXPR}` and `$NAME` not preceded by `\`; EXPR is `NAME`, `NAME:-default`,
 *   `NAME-default` (both fall back when NAME is unset OR empty), `NAME:+alt`, `NAME+alt`;
 * - the lookup table is the values expanded so far overlaid by the environment (environment wins);
 *   after `dotenv.config()` the environment already holds every raw value of the file, so a reference
 *   to a later key sees that key's raw text, which is then expanded in turn;
 * - after each replacement the value is scanned again from the start (recursion); a value seen
 *   before is replaced by the default instead (self-reference guard);
 * - the replacement goes through String.prototype.replace with a string pattern: the first textual
 *   occurrence is replaced and `$$`, `$&`, `` $` ``, `$'` in the value are replacement patterns;
 * - finally `\$` becomes `$`.
 * dotenv-expand 1000.0.0 (2026) moved to @dotenvx/primitives: it distinguishes unset from empty for
 * `-`/`+` and runs `$(command)` substitutions; neither is modelled here.
 */
import type { InputProblem } from '../../core/diagnostic.js';
import { MAX_DOTENV_EXPANSION_CHARS, MAX_DOTENV_VALUE_CHARS } from '../../core/limits.js';
import { dotenvValues } from './parse.js';
import type { DotenvEntry, DotenvReference, ExpandedDotenv, ExpandedDotenvValue } from './types.js';

export interface ExpandDotenvOptions {
  /**
   * Model `expand(dotenv.config())`: dotenv first copies every raw value of the file into the
   * environment (keys already present are kept), then expands. Default true. With false, model
   * `expand({ parsed, processEnv: env })` on an untouched environment.
   */
  populateFirst?: boolean;
  /** Replacement rounds allowed per value before giving up (dotenv-expand has no limit). Default 1000. */
  maxRounds?: number;
  /**
   * Longest value an expansion may produce, and text all expansions of the file may produce (each
   * round counts the whole new value). dotenv-expand has neither: `B=${A}${A}`, `C=${B}${B}`, …
   * doubles at each line. Defaults: core/limits.ts (64 KiB, 4 MiB).
   */
  maxValueChars?: number;
  maxExpansionChars?: number;
}

/**
 * Why expansion of a value stopped before dotenv-expand would have: a cycle (the value came back to
 * a text it had already been, so dotenv-expand loops forever), or one of the caps.
 */
type Stop = 'cycle' | 'rounds' | 'value-cap' | 'file-cap';

// dotenv-expand 12.0.3 lib/main.js expandValue
const REFERENCE = /(?<!\\)\${([^{}]+)}|(?<!\\)\$([A-Za-z_][A-Za-z0-9_]*)/g;
const OPERATOR = /(:\+|\+|:-|-)/;

/**
 * The matches of /\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*\/g (`${…}` and `$NAME` references as written), in one
 * pass: run as a regex, a value full of `${` without a `}` rescans to its end from every `${` (quadratic).
 * `bracedOnly` keeps only the `${…}` form.
 */
export function dollarReferences(text: string, bracedOnly = false): string[] {
  const out: string[] = [];
  let close = -1;
  for (let i = text.indexOf('$'); i !== -1 && i < text.length; i = text.indexOf('$', i)) {
    if (text.charCodeAt(i + 1) === 123 /* { */) {
      if (close !== -2 && close < i + 2) close = text.indexOf('}', i + 2) === -1 ? -2 : text.indexOf('}', i + 2);
      if (close >= 0) {
        out.push(text.slice(i, close + 1));
        i = close + 1;
        continue;
      }
    } else if (!bracedOnly && /[A-Za-z_]/.test(text[i + 1] ?? '')) {
      let j = i + 2;
      while (j < text.length && /[A-Za-z0-9_]/.test(text[j]!)) j++;
      out.push(text.slice(i, j));
      i = j;
      continue;
    }
    i++;
  }
  return out;
}

/** ECMAScript orders integer-index keys of an object first, ascending. */
function isArrayIndex(key: string): boolean {
  return /^(?:0|[1-9]\d*)$/.test(key) && Number(key) < 4294967295;
}

export function expandDotenv(
  entries: readonly DotenvEntry[],
  env: Readonly<Record<string, string | undefined>> = {},
  options: ExpandDotenvOptions = {},
): ExpandedDotenv {
  const populateFirst = options.populateFirst ?? true;
  const maxRounds = options.maxRounds ?? 1000;
  const budget: ExpansionBudget = {
    maxValue: options.maxValueChars ?? MAX_DOTENV_VALUE_CHARS,
    left: options.maxExpansionChars ?? MAX_DOTENV_EXPANSION_CHARS,
  };
  const last = dotenvValues(entries);
  const keys = [...last.keys()];
  const order = [...keys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b)), ...keys.filter((k) => !isArrayIndex(k))];

  // The environment, and for each of its keys the assignment it came from (null: the caller's env).
  const processEnv = new Map<string, string>();
  const origin = new Map<string, DotenvEntry | null>();
  for (const [k, v] of Object.entries(env)) {
    if (typeof v === 'string') {
      processEnv.set(k, v);
      origin.set(k, null);
    }
  }
  if (populateFirst) {
    // dotenv lib/main.js populate(): without `override`, keys already present (even empty) stay.
    for (const k of order) {
      const e = last.get(k);
      if (e && !processEnv.has(k)) {
        processEnv.set(k, e.value);
        origin.set(k, e);
      }
    }
  }

  const running = new Map<string, string>();
  const values = new Map<string, ExpandedDotenvValue>();
  const problems: InputProblem[] = [];
  const incomplete = new Set<string>();

  for (const key of order) {
    const entry = last.get(key);
    if (!entry) continue;
    let value = entry.value;
    const references: DotenvReference[] = [];
    const fromEnv = processEnv.get(key);
    let fromEnvironment = false;
    if (fromEnv && fromEnv !== value) {
      value = fromEnv;
      fromEnvironment = true;
    } else {
      const lookup = (name: string): { value: string | undefined; source: DotenvReference['source']; entry?: DotenvEntry } => {
        if (processEnv.has(name)) {
          const o = origin.get(name);
          return o ? { value: processEnv.get(name), source: 'file', entry: o } : { value: processEnv.get(name), source: 'env' };
        }
        if (running.has(name)) {
          const o = last.get(name);
          return o ? { value: running.get(name), source: 'file', entry: o } : { value: running.get(name), source: 'file' };
        }
        return { value: undefined, source: 'unset' };
      };
      const fileCapReached = budget.left < 0;
      const r = fileCapReached ? { value, stop: null } : expandValue(value, lookup, running, references, maxRounds, budget);
      value = r.value;
      if (r.stop === 'cycle') {
        problems.push({
          severity: 'warning',
          // Checked against dotenv-expand 12.0.3: such values make it loop forever (the program hangs at startup).
          message: `dotenv-expand never finishes expanding ${key}: its references lead to a variable whose value refers back to itself, so the program hangs at startup.`,
          help: 'Break the cycle (e.g. a line like KEY="${KEY}"), or escape the $ as \\$ where no expansion is meant.',
          range: entry.valueRange,
        });
      } else if (r.stop === 'rounds') {
        problems.push({
          severity: 'warning',
          message: `Expanding ${key} takes more than ${maxRounds} replacements (pgconn-lint's limit per value); expansion stopped there and the value is not checked.`,
          help: 'Each ${NAME} copies the whole value of NAME, references included: a chain of variables that each reference the previous one twice doubles at every line.',
          range: entry.valueRange,
        });
      } else if (r.stop === 'value-cap') {
        problems.push({
          severity: 'warning',
          message: `Expanding ${key} would make it longer than ${budget.maxValue / 1024} KiB (pgconn-lint's limit on one expanded .env value); expansion stopped there and the value is not checked.`,
          help: 'Each ${NAME} copies the whole value of NAME: a chain of variables that each reference the previous one twice doubles at every line.',
          range: entry.valueRange,
        });
      } else if (r.stop === 'file-cap') {
        budget.left = -1;
        problems.push({
          severity: 'warning',
          message: `Stopped expanding variables at ${key}: expansion of this file has produced more than ${(options.maxExpansionChars ?? MAX_DOTENV_EXPANSION_CHARS) / (1024 * 1024)} MiB of text (pgconn-lint's limit per .env file); ${key} and the variables after it keep their unexpanded values and are not checked.`,
          help: 'Each ${NAME} copies the whole value of NAME: a chain of variables that each reference the previous one twice doubles at every line.',
          range: entry.valueRange,
        });
      }
      if (r.stop === 'rounds' || r.stop === 'value-cap' || r.stop === 'file-cap' || fileCapReached) incomplete.add(key);
    }
    // dotenv-expand _resolveEscapeSequences
    value = value.replace(/\\\$/g, '$');
    running.set(key, value);
    const v: ExpandedDotenvValue = { key, value, entry, fromEnvironment, references };
    if (incomplete.has(key)) v.incomplete = true;
    values.set(key, v);
  }
  return { values, problems };
}

interface ExpansionBudget {
  /** Longest value a replacement may produce. */
  readonly maxValue: number;
  /** Characters the file's expansions may still produce; negative once spent. */
  left: number;
}

/**
 * Length of `String.prototype.replace(pattern, replacement)` with a string pattern, without building
 * it: GetSubstitution expands `$$`, `$&`, `` $` `` and `$'` (ECMA-262 22.1.3.19.1), and a replacement full
 * of `` $` `` would otherwise build a string thousands of times longer than the value.
 */
function replacedLength(subjectLength: number, position: number, matched: string, replacement: string): number {
  let len = subjectLength - matched.length;
  for (let i = 0; i < replacement.length; i++) {
    if (replacement.charCodeAt(i) !== 36 /* $ */ || i + 1 >= replacement.length) {
      len++;
      continue;
    }
    const c = replacement[i + 1];
    if (c === '$') len += 1;
    else if (c === '&') len += matched.length;
    else if (c === '`') len += position;
    else if (c === "'") len += subjectLength - position - matched.length;
    else {
      len++;
      continue;
    }
    i++;
  }
  return len;
}

function expandValue(
  input: string,
  lookup: (name: string) => { value: string | undefined; source: DotenvReference['source']; entry?: DotenvEntry },
  running: ReadonlyMap<string, string>,
  references: DotenvReference[],
  maxRounds: number,
  budget: ExpansionBudget,
): { value: string; stop: Stop | null } {
  const regex = new RegExp(REFERENCE.source, 'g');
  let result = input;
  const seen = new Set<string>();
  let rounds = 0;
  /** The value came back to a text it had been before: dotenv-expand goes round forever. */
  let repeated = false;
  let match: RegExpExecArray | null;
  while ((match = regex.exec(result)) !== null) {
    if (++rounds > maxRounds) return { value: result, stop: repeated ? 'cycle' : 'rounds' };
    seen.add(result);
    const template = match[0];
    const expression = match[1] || match[2] || '';
    const op = expression.match(OPERATOR);
    // dotenv-expand calls expression.split(null) when there is no operator; split converts null
    // to the string "null", so `${nullable}` really splits at "null".
    const splitter = op ? (op[0] ?? '') : 'null';
    const parts = expression.split(splitter);
    const name = parts.shift() ?? '';
    const found = lookup(name);
    let replacement: string;
    let usedDefault: boolean;
    if (splitter === ':+' || splitter === '+') {
      replacement = found.value ? parts.join(splitter) : '';
      usedDefault = true;
    } else {
      const fallback = parts.join(splitter);
      if (found.value) {
        usedDefault = seen.has(found.value);
        replacement = usedDefault ? fallback : found.value;
      } else {
        usedDefault = op !== null;
        replacement = fallback;
      }
    }
    const ref: DotenvReference = { name, source: found.source, usedDefault };
    if (found.entry) ref.entry = found.entry;
    references.push(ref);
    // String pattern + string replacement, exactly as dotenv-expand: first occurrence, `$` patterns honoured.
    const length = replacedLength(result.length, result.indexOf(template), template, replacement);
    if (length > budget.maxValue) return { value: result, stop: 'value-cap' };
    budget.left -= length;
    if (budget.left < 0) return { value: result, stop: 'file-cap' };
    result = result.replace(template, replacement);
    if (seen.has(result)) repeated = true;
    if (running.has(name) && result === running.get(name)) break;
    regex.lastIndex = 0;
  }
  return { value: result, stop: null };
}
