/**
 * Compose variable interpolation, as the Compose specification defines it
 * (https://docs.docker.com/reference/compose-file/interpolation/; compose-go template/template.go):
 * `$VAR` and `${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}` (unset),
 * `${VAR:?err}` / `${VAR?err}` (required), `${VAR:+alt}` / `${VAR+alt}` (alternative),
 * nested in defaults, and `$$` for a literal `$`. A `$` not followed by a name or `{` is kept.
 *
 * Unlike Compose, which substitutes an unknown variable with "" and a warning, a variable the
 * given environment does not define is kept as written and reported in `unresolved`: for a
 * linter, unknown is not empty.
 */
import { MAX_NESTING_DEPTH } from '../../core/limits.js';

export interface InterpolationResult {
  value: string;
  /** Variables referenced, in order (including ones inside defaults that were used). */
  variables: string[];
  /** Variables with no value in the environment and no default: kept verbatim in `value`. */
  unresolved: string[];
  /** `${VAR:?err}` / `${VAR?err}` whose variable is missing: Compose would refuse the file. */
  missingRequired: string[];
  /** The result differs from the input. */
  changed: boolean;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

export function interpolate(input: string, env: ReadonlyMap<string, string>): InterpolationResult {
  const st: InterpolationResult = { value: '', variables: [], unresolved: [], missingRequired: [], changed: false };
  if (!input.includes('$')) return { ...st, value: input };
  st.value = expand(input, env, st, 0);
  st.changed = st.value !== input;
  return st;
}

/** `depth`: defaults entered. Each level rescans its text for the closing brace, so the cap also keeps the work linear. */
function expand(s: string, env: ReadonlyMap<string, string>, st: InterpolationResult, depth: number): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const close = findClose(s, i + 2);
      if (close === -1) {
        // Compose reports "Invalid template"; keep the text as written.
        out += s.slice(i);
        st.unresolved.push(s.slice(i));
        break;
      }
      const whole = s.slice(i, close + 1);
      if (depth >= MAX_NESTING_DEPTH) {
        // Defaults nested deeper than any real file: unknown, kept as written.
        st.unresolved.push(whole);
        out += whole;
      } else out += braced(s.slice(i + 2, close), whole, env, st, depth);
      i = close + 1;
      continue;
    }
    if (next !== undefined && NAME_START.test(next)) {
      let j = i + 1;
      while (j < s.length && NAME_CHAR.test(s[j]!)) j++;
      const name = s.slice(i + 1, j);
      st.variables.push(name);
      const v = env.get(name);
      if (v === undefined) {
        st.unresolved.push(name);
        out += s.slice(i, j);
      } else out += v;
      i = j;
      continue;
    }
    out += '$';
    i++;
  }
  return out;
}

/** Index of the `}` closing a `${` whose body starts at `from` (nested `${…}` skipped). */
function findClose(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '$' && s[i + 1] === '$') {
      i++;
      continue;
    }
    if (c === '$' && s[i + 1] === '{') {
      depth++;
      i++;
      continue;
    }
    if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function braced(body: string, whole: string, env: ReadonlyMap<string, string>, st: InterpolationResult, depth: number): string {
  let j = 0;
  while (j < body.length && NAME_CHAR.test(body[j]!)) j++;
  const name = body.slice(0, j);
  if (name === '' || !NAME_START.test(name[0]!)) {
    st.unresolved.push(whole);
    return whole;
  }
  st.variables.push(name);
  const rest = body.slice(j);
  const v = env.get(name);
  const set = v !== undefined;
  const nonEmpty = set && v !== '';
  if (rest === '') {
    if (!set) {
      st.unresolved.push(name);
      return whole;
    }
    return v;
  }
  const op = rest.startsWith(':') ? rest.slice(0, 2) : rest.slice(0, 1);
  const arg = rest.slice(op.length);
  switch (op) {
    case ':-':
      return nonEmpty ? v : expand(arg, env, st, depth + 1);
    case '-':
      return set ? v : expand(arg, env, st, depth + 1);
    case ':?':
    case '?':
      if (op === ':?' ? nonEmpty : set) return v ?? '';
      st.unresolved.push(name);
      st.missingRequired.push(name);
      return whole;
    case ':+':
      return nonEmpty ? expand(arg, env, st, depth + 1) : set ? '' : unknownAlt(name, whole, st);
    case '+':
      return set ? expand(arg, env, st, depth + 1) : unknownAlt(name, whole, st);
    default:
      // ${VAR/foo/bar} and other shell forms: Compose rejects them.
      st.unresolved.push(whole);
      return whole;
  }
}

/** `${VAR:+alt}` with VAR unknown: we cannot tell whether the result is alt or "". */
function unknownAlt(name: string, whole: string, st: InterpolationResult): string {
  st.unresolved.push(name);
  return whole;
}
