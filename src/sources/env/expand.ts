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
}

// dotenv-expand 12.0.3 lib/main.js expandValue
const REFERENCE = /(?<!\\)\${([^{}]+)}|(?<!\\)\$([A-Za-z_][A-Za-z0-9_]*)/g;
const OPERATOR = /(:\+|\+|:-|-)/;

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
      const r = expandValue(value, lookup, running, references, maxRounds);
      value = r.value;
      if (r.gaveUp) {
        problems.push({
          severity: 'warning',
          // Checked against dotenv-expand 12.0.3: such values make it loop forever (the program hangs at startup).
          message: `dotenv-expand never finishes expanding ${key}: its references lead to a variable whose value refers back to itself, so the program hangs at startup.`,
          help: 'Break the cycle (e.g. a line like KEY="${KEY}"), or escape the $ as \\$ where no expansion is meant.',
          range: entry.valueRange,
        });
      }
    }
    // dotenv-expand _resolveEscapeSequences
    value = value.replace(/\\\$/g, '$');
    running.set(key, value);
    values.set(key, { key, value, entry, fromEnvironment, references });
  }
  return { values, problems };
}

function expandValue(
  input: string,
  lookup: (name: string) => { value: string | undefined; source: DotenvReference['source']; entry?: DotenvEntry },
  running: ReadonlyMap<string, string>,
  references: DotenvReference[],
  maxRounds: number,
): { value: string; gaveUp: boolean } {
  const regex = new RegExp(REFERENCE.source, 'g');
  let result = input;
  const seen = new Set<string>();
  let rounds = 0;
  let match: RegExpExecArray | null;
  while ((match = regex.exec(result)) !== null) {
    if (++rounds > maxRounds) return { value: result, gaveUp: true };
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
    result = result.replace(template, replacement);
    if (running.has(name) && result === running.get(name)) break;
    regex.lastIndex = 0;
  }
  return { value: result, gaveUp: false };
}
